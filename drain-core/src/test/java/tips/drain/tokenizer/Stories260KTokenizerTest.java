package tips.drain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tips.drain.testing.TestData;

/** stories260K's tokenizer against llama2.c's golden sequences (models/stories260K/golden.json). */
class Stories260KTokenizerTest {
  private static final Path DIR = TestData.path("models/stories260K");
  private static final Tokenizer TOKENIZER = Tokenizer.load(DIR);

  @Test
  void onceUponATime() {
    assertArrayEquals(new int[] {1, 403, 407, 261, 378}, TOKENIZER.encode("Once upon a time", true));
    assertEquals(1, TOKENIZER.bosId());
    assertEquals(2, TOKENIZER.eosId());
    assertEquals(512, TOKENIZER.vocabSize());
  }

  @TestFactory
  List<DynamicTest> goldenSequences() throws IOException {
    JsonNode golden = new ObjectMapper().readTree(DIR.resolve("golden.json").toFile());
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < golden.size(); i++) {
      JsonNode g = golden.get(i);
      String prompt = g.get("prompt").asText();
      int[] ids = ids(g.get("token_ids"));
      int promptTokens = g.get("num_prompt_tokens").asInt();
      String text = g.get("text").asText();
      String name = i + ": \"" + prompt + "\" (" + g.get("steps").asInt() + " steps, " + g.get("source").asText() + ")";
      tests.add(DynamicTest.dynamicTest(name, () -> {
        assertArrayEquals(Arrays.copyOf(ids, promptTokens), TOKENIZER.encode(prompt, true), "prompt ids");
        int[] rest = Arrays.copyOfRange(ids, 1, ids.length);
        assertEquals(text, TOKENIZER.decode(rest, false), "decoded text");
        StreamDecoder stream = TOKENIZER.streamDecoder(false);
        StringBuilder sb = new StringBuilder();
        for (int id : rest) {
          sb.append(stream.next(id));
        }
        sb.append(stream.flush());
        assertEquals(text, sb.toString(), "streamed text");
      }));
    }
    assertTrue(tests.size() >= 20, "golden.json has " + tests.size() + " sequences");
    return tests;
  }

  static int[] ids(JsonNode array) {
    return IntStream.range(0, array.size()).map(k -> array.get(k).asInt()).toArray();
  }
}
