package tips.drain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tips.drain.testing.TestData;

/**
 * The vocab-only GGUF files of llama.cpp ({@code shared/tokenizers/gguf}) against their test cases, whose ids
 * Hugging Face transformers produced ({@code encode(text, add_special_tokens=False)}): every case exact, and
 * decoding gives the text back where the tokenizer is lossless.
 */
class GgufTokenizerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The decoder-model vocabularies; bert-bge (WordPiece) belongs to the encoder work. */
  private static final List<String> FILES = List.of("llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2", "falcon");

  @TestFactory
  Stream<DynamicTest> casesMatchHuggingFace() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (String name : FILES) {
      Path file = TestData.path("tokenizers/gguf/ggml-vocab-" + name + ".gguf");
      JsonNode cases = JSON.readTree(file.resolveSibling(file.getFileName() + ".cases.json").toFile()).get("cases");
      tests.add(DynamicTest.dynamicTest(name, () -> {
        Tokenizer t = Tokenizer.open(file);
        int exact = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
          String text = c.get("text").asText();
          int[] expected = new int[c.get("ids").size()];
          for (int i = 0; i < expected.length; i++) {
            expected[i] = c.get("ids").get(i).asInt();
          }
          int[] actual = t.encode(text, false);
          if (java.util.Arrays.equals(expected, actual)) {
            exact++;
          } else {
            failures.add(JSON.writeValueAsString(text) + " expected " + java.util.Arrays.toString(expected) + " got "
                + java.util.Arrays.toString(actual));
          }
        }
        assertEquals(cases.size(), exact, name + ": " + failures.size() + " cases differ, first: "
            + (failures.isEmpty() ? "" : failures.get(0)));
      }));
    }
    return tests.stream();
  }

  @Test
  void specialTokensAndTemplateComeFromTheMetadata() {
    Tokenizer t = Tokenizer.open(TestData.path("tokenizers/gguf/ggml-vocab-phi-3.gguf"));
    assertEquals(1, t.bosId());
    assertEquals(32000, t.eosId());
    assertArrayEquals(new int[] {1, 15043}, t.encode("Hello", true));
    assertTrue(t.config().chatTemplates().get("default").contains("<|user|>"));
    String chat = tips.drain.template.ChatTemplate.load(TestData.path("tokenizers/gguf/ggml-vocab-phi-3.gguf")).orElseThrow()
        .render(List.of(tips.drain.template.ChatMessage.user("Hi")), true);
    assertEquals("<s><|user|>\nHi<|end|>\n<|assistant|>\n", chat);
    assertEquals("Hello world", t.decode(t.encode("Hello world", true), true));
    Tokenizer q = Tokenizer.open(TestData.path("tokenizers/gguf/ggml-vocab-qwen2.gguf"));
    assertArrayEquals(q.encode("hi", false), q.encode("hi", true), "qwen2 adds no BOS");
    assertEquals("héllo wörld", q.decode(q.encode("héllo wörld", false), false));
  }

  @Test
  void bertVocabularyReadsAsHuggingFacesWordPieceVocab() throws IOException {
    Path file = TestData.path("tokenizers/gguf/ggml-vocab-bert-bge.gguf");
    try (tips.drain.io.GgufFile f = tips.drain.io.GgufFile.open(file)) {
      java.util.Map<String, Integer> vocab = GgufTokenizer.wordPieceVocab(f.metadata().strings("tokenizer.ggml.tokens"),
          f.metadata().ints("tokenizer.ggml.token_type"));
      JsonNode expected = JSON.readTree(TestData.model("all-MiniLM-L6-v2").resolve("tokenizer.json").toFile())
          .get("model").get("vocab");
      assertEquals(expected.size(), vocab.size());
      expected.fields().forEachRemaining(e -> assertEquals(e.getValue().asInt(), vocab.get(e.getKey()), e.getKey()));
    }
  }

  /** The words each supported pre-tokenizer type cuts (byte-level: Ġ is a space, Ċ a newline). */
  @Test
  void preTokenizerTypesSplitAsTheirRegexesSay() {
    String text = "Hello, World 12345\n";
    assertEquals(List.of("Hello", ",", "ĠWorld", "Ġ", "123", "45", "Ċ"), words("llama-bpe", text));
    assertEquals(List.of("Hello", ",", "ĠWorld", "Ġ", "123", "45", "Ċ"), words("smaug-bpe", text));
    assertEquals(List.of("Hello", ",", "ĠWorld", "Ġ", "1", "2", "3", "4", "5", "Ċ"), words("qwen2", text));
    assertEquals(List.of("Hello", ",", "ĠWorld", "Ġ12345", "Ċ"), words("gpt-2", text));
    assertEquals(List.of("Hello", ",", "ĠWorld", "Ġ", "1", "2", "3", "4", "5", "Ċ"), words("starcoder", text));
    assertEquals(List.of("Hello", ",", "ĠWorld", "Ġ", "1", "2", "3", "4", "5", "Ċ"), words("deepseek-coder", text));
    assertEquals(List.of("Hello", ",", "ĠWorld", "Ġ", "12345", "Ċ"), words("deepseek-llm", text));
    assertEquals(List.of("Hello", ",", "ĠWorld", "Ġ", "123", "45", "Ċ"), words("deepseek-v3", text));
    assertEquals(List.of("Hello", ",", "ĠWorld", "Ġ", "1", "2", "3", "4", "5", "Ċ"), words("tekken", text));
    assertEquals(List.of("Hello", ",", "ĠWorld", "Ġ", "123", "45", "Ċ"), words("default", text));
    TokenizerException e = assertThrows(TokenizerException.class, () -> words("klingon", text));
    assertTrue(e.getMessage().contains("tokenizer.ggml.pre 'klingon' is not supported"), e.getMessage());
  }

  private static List<String> words(String pre, String text) {
    Path file = Path.of("test.gguf");
    PreTokenizer p = PreTokenizers.fromJson(readTree(GgufTokenizer.preTokenizerJson(pre, file)),
        new JsonPath("test.gguf", "pre"));
    List<String> out = new ArrayList<>();
    p.preTokenize(text, true, (word, atStart) -> out.add(word));
    return out;
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void wordPieceIsRefusedNamingTheModel() {
    TokenizerException e = assertThrows(TokenizerException.class,
        () -> Tokenizer.open(TestData.path("tokenizers/gguf/ggml-vocab-bert-bge.gguf")));
    assertTrue(e.getMessage().contains("tokenizer.ggml.model 'bert'"), e.getMessage());
  }
}
