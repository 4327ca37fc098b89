package tips.drain.api;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tips.drain.kernel.KernelProvider;
import tips.drain.testing.TestData;

/**
 * stories260K, a real trained Llama, against the greedy outputs of llama2.c, llama.cpp and Jlama (which
 * agree): every golden sequence token for token, and the raw logits within 1e-4. Runs on both kernel paths.
 */
@Tag("kernels")
class Stories260KConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LanguageModel model;
  /** The same model from llama.cpp's GGUF conversion ({@code original/stories260K.gguf}), tokenizer included. */
  private static LanguageModel gguf;

  @BeforeAll
  static void load() {
    model = LanguageModel.load(TestData.model("stories260K"), LoadOptions.defaults().withThreads(2).withTokenizer(false));
    gguf = LanguageModel.load(TestData.model("stories260K").resolve("original/stories260K.gguf"),
        LoadOptions.defaults().withThreads(2));
  }

  @AfterAll
  static void close() {
    model.close();
    gguf.close();
  }

  @Test
  void ggufResolvesTheSameConfigAsConfigJson() {
    assertEquals(model.config().hiddenSize(), gguf.config().hiddenSize());
    assertEquals(model.config().numKvHeads(), gguf.config().numKvHeads());
    assertEquals(model.config().intermediateSize(), gguf.config().intermediateSize());
    assertEquals(model.config().rope(), gguf.config().rope());
    assertEquals(model.config().rmsNormEps(), gguf.config().rmsNormEps());
    assertArrayEquals(new int[] {1, 403, 407, 261, 378}, gguf.tokenizer().orElseThrow().encode("Once upon a time", true));
  }

  @Test
  void runsTheRequestedKernels() {
    String requested = System.getProperty("drain.kernels", "auto");
    if (requested.equals("scalar")) {
      assertEquals("scalar", model.kernelsName());
    } else if (requested.equals("panama")) {
      assertTrue(KernelProvider.isVectorized(), "panama kernels requested");
    }
  }

  @TestFactory
  Stream<DynamicTest> greedyTokensMatchGolden() throws IOException {
    JsonNode golden = JSON.readTree(TestData.model("stories260K").resolve("golden.json").toFile());
    List<DynamicTest> tests = new ArrayList<>();
    for (LanguageModel model : List.of(Stories260KConformanceTest.model, gguf)) {
      for (JsonNode g : golden) {
        int[] ids = ints(g.get("token_ids"));
        int promptLength = g.get("num_prompt_tokens").asInt();
        String name = model.directory().getFileName() + " " + g.get("source").asText() + ": '" + g.get("prompt").asText()
            + "' steps " + g.get("steps").asInt();
        tests.add(DynamicTest.dynamicTest(name, () -> {
          int[] prompt = Arrays.copyOf(ids, promptLength);
          int[] expected = Arrays.copyOfRange(ids, promptLength, ids.length);
          try (Session session = model.newSession(SessionOptions.defaults().withContextLength(512).withBatchSize(16))) {
            GenerationResult r = session.generate(prompt, GenerationOptions.defaults().withMaxTokens(expected.length)
                .withStopOnEos(false), TokenListener.NONE);
            assertArrayEquals(expected, r.generatedIds(), name);
            assertEquals(FinishReason.LENGTH, r.finishReason());
          }
        }));
      }
    }
    return tests.stream();
  }

  @Test
  void feedAllLeavesTheLogitsOfTheLastToken() {
    int[] ids = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376};
    try (Session session = model.newSession(SessionOptions.defaults().withContextLength(64).withBatchSize(4))) {
      float[] all = session.feedAll(ids);
      int vocab = model.config().vocabSize();
      // feeding nothing returns the logits the session holds: the last token's, not those of its batch's first
      assertArrayEquals(Arrays.copyOfRange(all, (ids.length - 1) * vocab, ids.length * vocab), session.feed(new int[0]));
    }
  }

  @TestFactory
  Stream<DynamicTest> logitsMatchLlama2c() throws IOException {
    JsonNode root = JSON.readTree(TestData.model("stories260K").resolve("golden_logits.json").toFile());
    List<DynamicTest> tests = new ArrayList<>();
    for (LanguageModel model : List.of(Stories260KConformanceTest.model, gguf)) {
      for (JsonNode entry : root.get("sequences")) {
        String prompt = entry.get("prompt").asText();
        tests.add(DynamicTest.dynamicTest(model.directory().getFileName() + " " + prompt, () -> {
          int[] ids = ints(entry.get("token_ids"));
          JsonNode expected = entry.get("positions");
          int positions = expected.size();
          try (Session session = model.newSession(SessionOptions.defaults().withContextLength(512).withBatchSize(7))) {
            float[] all = session.feedAll(Arrays.copyOf(ids, positions));
            int vocab = model.config().vocabSize();
            double maxDiff = 0;
            for (int p = 0; p < positions; p++) {
              for (int v = 0; v < vocab; v++) {
                JsonNode row = expected.get(p);
                assertEquals(ids[p], row.get("token").asInt());
                maxDiff = Math.max(maxDiff, Math.abs(all[p * vocab + v] - row.get("logits").get(v).asDouble()));
              }
            }
            assertTrue(maxDiff < 1e-4, "max |logit - llama2.c| = " + maxDiff);
          }
        }));
      }
    }
    return tests.stream();
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
