package tips.drain.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tips.drain.DrainException;
import tips.drain.io.GgufFile;
import tips.drain.io.GgufTensorInfo;
import tips.drain.io.SafetensorsFile;
import tips.drain.io.TensorInfo;
import tips.drain.lora.LoraConfig;
import tips.drain.model.Architecture;
import tips.drain.model.Architectures;
import tips.drain.model.ConfigReader;
import tips.drain.model.HfConfig;
import tips.drain.template.ChatMessage;
import tips.drain.template.ChatTemplate;
import tips.drain.tokenizer.Tokenizer;

/**
 * Jazzer fuzz targets for every parser that reads a file a user may have downloaded from anywhere. The rule they
 * check: whatever the bytes, only a {@link DrainException} (a one-line message naming the file) comes out; any
 * other exception or error, a hang or an out-of-memory is a finding.
 *
 * <p>GGUF files get the same treatment ({@link #gguf}).
 *
 * <p>In a plain build each target replays its committed corpus ({@code src/test/resources/tips/drain/fuzz/
 * ParserFuzzTestInputs/<target>/}) as a regression test. To fuzz one target:
 * {@code JAZZER_FUZZ=1 ./mvnw -B -pl drain-core test -Dtest='ParserFuzzTest#chatTemplate' -Djazzer.max_duration=10m}.
 * A finding is written into the target's corpus folder, where it becomes a regression test once fixed.
 */
class ParserFuzzTest {
  private static final Path DIR = scratch();

  private static Path scratch() {
    try {
      Path dir = Files.createTempDirectory("drain-fuzz");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code data} as {@code name} in a fresh model directory (other files of the last input removed). */
  private static Path write(String name, byte[] data) {
    try {
      Path dir = DIR.resolve("model");
      Files.createDirectories(dir);
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.write(dir.resolve(name), data);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path dir, String name, String text) {
    try {
      Files.writeString(dir.resolve(name), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  void safetensors(byte[] data) {
    Path dir = write("model.safetensors", data);
    try (SafetensorsFile file = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
      for (TensorInfo t : file.tensors().values()) {
        file.segment(t.name());
        if (t.byteSize() <= 4096) {
          file.toFloatArray(t.name());
        }
      }
    } catch (DrainException expected) {
      // refused with a message: what a malformed file must produce
    }
  }

  @FuzzTest
  void gguf(byte[] data) {
    Path dir = write("model.gguf", data);
    try (GgufFile file = GgufFile.open(dir.resolve("model.gguf"))) {
      file.metadata();
      for (GgufTensorInfo t : file.tensors()) {
        file.segment(t.name());
      }
    } catch (DrainException expected) {
      // refused with a message
    }
  }

  @FuzzTest
  void config(byte[] data) {
    Path dir = write("config.json", data);
    Path file = dir.resolve("config.json");
    try {
      HfConfig raw = ConfigReader.readConfig(dir);
      Architecture architecture = Architectures.of(raw, file);
      architecture.resolve(raw, file);
    } catch (DrainException expected) {
      // refused with a message
    }
  }

  @FuzzTest
  void generationConfig(byte[] data) {
    Path dir = write("generation_config.json", data);
    try {
      ConfigReader.readGenerationConfig(dir).samplingDefaults();
    } catch (DrainException expected) {
      // refused with a message
    }
  }

  @FuzzTest
  void tokenizer(byte[] data) {
    Path dir = write("tokenizer.json", data);
    try {
      Tokenizer t = Tokenizer.load(dir);
      int[] ids = t.encode("Hello, world! 123 ümlaut \uD83D\uDE00 <s></s>\n", true);
      t.decode(ids, false);
      t.decode(new int[] {0, 1, 2, t.vocabSize() - 1}, true);
    } catch (DrainException expected) {
      // refused with a message
    }
  }

  @FuzzTest
  void tokenizerConfig(byte[] data) {
    Path dir = write("tokenizer_config.json", data);
    write(dir, "tokenizer.json", TINY_TOKENIZER);
    try {
      Tokenizer t = Tokenizer.load(dir);
      t.encode("<s>hi</s>", true);
      ChatTemplate.load(dir).ifPresent(c -> c.render(MESSAGES, true));
    } catch (DrainException expected) {
      // refused with a message
    }
  }

  @FuzzTest
  void chatTemplate(byte[] data) {
    String source = new String(data, StandardCharsets.UTF_8);
    try {
      ChatTemplate.of(source, "fuzz.jinja", Map.of("bos_token", "<s>", "eos_token", "</s>"))
          .render(MESSAGES, true, Map.of("tools", List.of(Map.of("name", "f", "parameters", Map.of()))));
    } catch (DrainException expected) {
      // refused with a message
    }
  }

  @FuzzTest
  void adapterConfig(byte[] data) {
    Path dir = write("adapter_config.json", data);
    try {
      LoraConfig c = LoraConfig.read(dir);
      String module = "model.layers.0.self_attn.q_proj";
      c.targets(module);
      c.rank(module);
      c.scale(module);
    } catch (DrainException expected) {
      // refused with a message
    }
  }

  private static final List<ChatMessage> MESSAGES = List.of(
      ChatMessage.system("You are helpful."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"),
      ChatMessage.user("What is 2+2?"));

  /** A byte-level BPE over a few tokens, with special tokens. */
  private static final String TINY_TOKENIZER = """
      {"version": "1.0", "added_tokens": [
        {"id": 0, "content": "<s>", "special": true}, {"id": 1, "content": "</s>", "special": true}],
       "normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
       "post_processor": null, "decoder": {"type": "ByteLevel"},
       "model": {"type": "BPE", "vocab": {"<s>": 0, "</s>": 1, "h": 2, "i": 3, "hi": 4}, "merges": ["h i"]}}
      """;
}
