package tips.drain.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import tips.drain.tokenizer.Tokenizer;

/** The five real tokenizers of {@code shared/tokenizers}, loaded once per test JVM, and their golden files. */
public final class SharedTokenizers {
  private SharedTokenizers() {}

  public static final String[] NAMES = {"mistral-v1", "llama2-derived", "llama3", "qwen3", "gemma3"};
  private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

  public static Path dir(String name) {
    return TestData.path("tokenizers/" + name);
  }

  public static synchronized Tokenizer get(String name) {
    return LOADED.computeIfAbsent(name, n -> Tokenizer.load(dir(n)));
  }

  public static JsonNode golden(String file) {
    try {
      return new ObjectMapper().readTree(TestData.path("tokenizers/golden/" + file).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int[] ids(JsonNode array) {
    return IntStream.range(0, array.size()).map(k -> array.get(k).asInt()).toArray();
  }
}
