package tips.drain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tips.drain.testing.SharedTokenizers;
import tips.drain.testing.TestData;

/**
 * The WordPiece pipeline of all-MiniLM-L6-v2's tokenizer.json (BertNormalizer, BertPreTokenizer, WordPiece,
 * TemplateProcessing, WordPiece decoder) against the ids Hugging Face's Rust tokenizers produced for the 40
 * reference texts, untruncated, at the file's own truncation (128, as LangChain4j feeds ONNX Runtime) and at 256 and
 * 512; and against llama.cpp's bert-bge cases (ids from transformers, same uncased vocabulary).
 */
class WordPieceConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Tokenizer miniLm() {
    return Tokenizer.load(TestData.model("all-MiniLM-L6-v2"));
  }

  static JsonNode read(String relative) throws IOException {
    return JSON.readTree(TestData.path(relative).toFile());
  }

  @TestFactory
  List<DynamicTest> referenceTexts() throws IOException {
    Tokenizer tokenizer = miniLm();
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode item : read("models/all-MiniLM-L6-v2/reference.json").get("items")) {
      String text = item.get("text").asText();
      tests.add(DynamicTest.dynamicTest(item.get("name").asText(), () -> {
        int[] full = tokenizer.encode(text, true);
        assertArrayEquals(SharedTokenizers.ids(item.get("input_ids_untruncated")), full, "untruncated ids");
        int[] wordpieces = tokenizer.encode(text, false);
        for (int max : new int[] {256, 512}) {
          int[] cut = tokenizer.withSpecialTokens(Truncation.cut(wordpieces, max - 2, Truncation.Side.RIGHT));
          assertArrayEquals(SharedTokenizers.ids(item.get("input_ids_trunc" + max)), cut, "ids cut at " + max);
        }
        // the file's own settings: truncation at 128, padding to a fixed 128 (LangChain4j turns padding off)
        int[] configured = tokenizer.encodeAsConfigured(text);
        int[] lc4j = SharedTokenizers.ids(item.get("lc4j").get("input_ids").get(0));
        assertEquals(128, configured.length, "padded length");
        assertArrayEquals(lc4j, Arrays.copyOf(configured, lc4j.length), "ids as tokenizer.json configures them");
        for (int i = lc4j.length; i < configured.length; i++) {
          assertEquals(0, configured[i], "[PAD] at " + i);
        }
      }));
    }
    return tests;
  }

  /** llama.cpp's bert-bge cases, with MiniLM's tokenizer.json and with the GGUF file's own vocabulary. */
  @TestFactory
  List<DynamicTest> llamaCppBertBgeCases() throws IOException {
    Tokenizer json = miniLm();
    Tokenizer gguf = Tokenizer.open(TestData.path("tokenizers/gguf/ggml-vocab-bert-bge.gguf"));
    JsonNode file = read("tokenizers/gguf/ggml-vocab-bert-bge.gguf.cases.json");
    List<DynamicTest> tests = new ArrayList<>();
    int n = 0;
    for (JsonNode c : file.get("cases")) {
      String text = c.get("text").asText();
      tests.add(DynamicTest.dynamicTest("case " + n++ + " " + GoldenTokenizerTest.quote(text), () -> {
        int[] expected = SharedTokenizers.ids(c.get("ids"));
        assertArrayEquals(expected, json.encode(text, false), "tokenizer.json");
        assertArrayEquals(expected, gguf.encode(text, false), "GGUF vocabulary");
        assertEquals(json.decode(expected, false), gguf.decode(expected, false), "decoded");
      }));
    }
    return tests;
  }

  /** The GGUF bert vocabulary tokenizes the 40 reference texts as the tokenizer.json does, [CLS] and [SEP] included. */
  @Test
  void ggufVocabularyMatchesTokenizerJsonOnTheReferenceTexts() throws IOException {
    Tokenizer gguf = Tokenizer.open(TestData.path("tokenizers/gguf/ggml-vocab-bert-bge.gguf"));
    for (JsonNode item : read("models/all-MiniLM-L6-v2/reference.json").get("items")) {
      assertArrayEquals(SharedTokenizers.ids(item.get("input_ids_untruncated")), gguf.encode(item.get("text").asText(), true),
          item.get("name").asText());
    }
  }

  @Test
  void decodesWordPiecesBackToText() {
    Tokenizer tokenizer = miniLm();
    int[] ids = tokenizer.encode("Hello, world! It's unbelievable.", true);
    // the Rust decoder cleans each token on its own ("'" and "s" stay apart); transformers' clean-up joins them
    assertEquals("[CLS] hello, world! it ' s unbelievable. [SEP]", tokenizer.decode(ids, false));
    assertEquals("hello, world! it's unbelievable.", tokenizer.decode(ids, true, tokenizer.config().cleanUpTokenizationSpaces()));
    assertTrue(tokenizer.decode(tokenizer.encode("unbelievable", false), true).equals("unbelievable"));
  }
}
