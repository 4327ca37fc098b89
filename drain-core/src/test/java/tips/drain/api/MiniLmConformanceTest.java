package tips.drain.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tips.drain.embedding.Pooling;
import tips.drain.testing.RequestedKernels;
import tips.drain.testing.SharedTokenizers;
import tips.drain.testing.TestData;

/**
 * all-MiniLM-L6-v2, the real sentence-transformers model, against what LangChain4j's in-process model (ONNX Runtime)
 * returns for 40 texts, and ONNX Runtime at 256 and 512 tokens: ids exact, every component within 1e-5 and cosine
 * at least 0.99999. Runs on both kernel paths.
 */
@Tag("kernels")
class MiniLmConformanceTest {
  private static final double TOLERANCE = 1e-5;
  private static EmbeddingModel model;
  private static JsonNode reference;
  private static List<JsonNode> items;
  /** All 40 texts in one call at the model's 256 tokens: one batch of texts of different lengths. */
  private static EmbeddingBatch at256;

  @BeforeAll
  static void load() throws IOException {
    model = EmbeddingModel.load(TestData.model("all-MiniLM-L6-v2"),
        EmbeddingOptions.defaults().withThreads(2).withOverLength(OverLength.TRUNCATE));
    reference = new ObjectMapper().readTree(TestData.path("models/all-MiniLM-L6-v2/reference.json").toFile());
    items = new ArrayList<>();
    reference.get("items").forEach(items::add);
    at256 = model.embedBatch(items.stream().map(i -> i.get("text").asText()).toList());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void readsTheSentenceTransformersConfig() {
    assertEquals(384, model.dimension());
    assertEquals(256, model.maxSeqLength());
    assertEquals(List.of(Pooling.MEAN), model.pooling());
    assertTrue(model.normalizes());
    RequestedKernels.assertInUse(model.kernelsName());
  }

  /**
   * LangChain4j's vector of every text: texts up to 126 wordpieces from the batch at 256 tokens (the same ids), the
   * longer ones alone, cut at 128 tokens as LangChain4j's pipeline cuts them.
   */
  @TestFactory
  List<DynamicTest> langChain4jVectors() {
    List<DynamicTest> tests = new ArrayList<>();
    try (EmbeddingModel at128 = EmbeddingModel.load(TestData.model("all-MiniLM-L6-v2"),
        EmbeddingOptions.defaults().withThreads(2).withOverLength(OverLength.TRUNCATE).withMaxSeqLength(128))) {
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        int[] ids = SharedTokenizers.ids(item.get("lc4j").get("input_ids").get(0));
        boolean cut = ids.length < item.get("input_ids_untruncated").size();
        EmbeddingBatch alone = cut ? at128.embedBatch(List.of(item.get("text").asText())) : null;
        float[] actual = cut ? alone.vectors().get(0) : at256.vectors().get(i);
        tests.add(DynamicTest.dynamicTest(item.get("name").asText() + (cut ? " (cut at 128)" : ""), () -> {
          if (cut) {
            assertEquals(ids.length, alone.tokenCounts()[0], "tokens");
          }
          assertClose(floats(item.get("lc4j").get("embedding")), actual, item.get("name").asText());
        }));
      }
    }
    return tests;
  }

  /**
   * All 40 texts in one call (one batch of different lengths) at 256 tokens, and the texts longer than that at 512,
   * against ONNX Runtime.
   */
  @Test
  void allTextsTogetherAt256And512() {
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      assertEquals(item.get("input_ids_trunc256").size(), at256.tokenCounts()[i], "tokens of " + item.get("name"));
      assertClose(floats(item.get("ort_mean_l2_trunc256")), at256.vectors().get(i), item.get("name").asText() + " @256");
    }
    try (EmbeddingModel at512 = EmbeddingModel.load(TestData.model("all-MiniLM-L6-v2"),
        EmbeddingOptions.defaults().withThreads(2).withOverLength(OverLength.TRUNCATE).withMaxSeqLength(512)
            .withBatchTokens(1000))) {
      List<JsonNode> longer = items.stream().filter(i -> i.get("input_ids_trunc512").size() > 256).toList();
      assertTrue(longer.size() >= 2, "texts over 256 tokens in reference.json");
      EmbeddingBatch batch = at512.embedBatch(longer.stream().map(i -> i.get("text").asText()).toList());
      for (int i = 0; i < longer.size(); i++) {
        JsonNode item = longer.get(i);
        assertEquals(item.get("input_ids_trunc512").size(), batch.tokenCounts()[i], "tokens of " + item.get("name"));
        assertClose(floats(item.get("ort_mean_l2_trunc512")), batch.vectors().get(i), item.get("name").asText() + " @512");
      }
    }
  }

  /** sentence-transformers' quick start: the similarity matrix of three sentences. */
  @Test
  void quickStartSimilarities() {
    List<float[]> v = model.embedAll(List.of("The weather is lovely today.", "It's so sunny outside!",
        "He drove to the stadium."));
    assertEquals(0.6660, Pooling.cosine(v.get(0), v.get(1)), 1e-3);
    assertEquals(0.1046, Pooling.cosine(v.get(0), v.get(2)), 1e-3);
    assertEquals(0.1411, Pooling.cosine(v.get(1), v.get(2)), 1e-3);
  }

  @Test
  void aTextOverTheLimitIsRefusedWithItsTokenCount() {
    String longText = "word ".repeat(300);
    try (EmbeddingModel strict = EmbeddingModel.load(TestData.model("all-MiniLM-L6-v2"),
        EmbeddingOptions.defaults().withThreads(1))) {
      TextTooLongException e = assertThrows(TextTooLongException.class,
          () -> strict.embedAll(List.of("short", longText)));
      assertEquals(302, e.tokens());
      assertEquals(1, e.index());
      assertTrue(e.getMessage().startsWith("text 1 of 2 is 302 tokens, more than the 256 of "), e.getMessage());
      assertTrue(e.getMessage().contains("sentence_bert_config.json (max_seq_length)"), e.getMessage());
      assertEquals(302, strict.countTokens(longText));
    }
  }

  @Test
  void tokenIdsEmbedAsTheirText() {
    int[] hello = model.tokenizer().encode("Hello world", false);
    EmbeddingBatch byIds = model.embedTokenIds(List.of(hello, model.tokenizer().withSpecialTokens(hello)),
        true);
    assertArrayEquals(model.embed("Hello world"), byIds.vectors().get(0), 1e-6f);
    assertEquals(4, byIds.tokenCounts()[0]);
    assertEquals(6, byIds.tokenCounts()[1], "[CLS] [CLS] hello world [SEP] [SEP]");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.embedTokenIds(List.of(new int[] {7592, 40000}), true));
    assertEquals("text 0: token id 40000 is outside the vocabulary [0, 30522)", e.getMessage());
  }

  @Test
  void batchedEqualsOneByOne() {
    List<String> texts = List.of("a", "Hello world", "The quick brown fox jumps over the lazy dog.", "");
    List<float[]> together = model.embedAll(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertArrayEquals(model.embed(texts.get(i)), together.get(i), 1e-6f, "text " + i);
    }
  }

  static float[] floats(JsonNode array) {
    float[] v = new float[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) array.get(i).asDouble();
    }
    return v;
  }

  static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": dimension");
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(worst <= TOLERANCE, what + ": max |difference| " + worst);
    double cos = Pooling.cosine(expected, actual);
    assertTrue(cos >= 0.99999, what + ": cosine " + cos);
  }
}
