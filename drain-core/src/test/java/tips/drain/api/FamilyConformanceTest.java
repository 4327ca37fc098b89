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
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import tips.drain.testing.TestData;

/**
 * The tiny random-weight fixtures of every family ({@code shared/models/tiny-*}) against llama.cpp's logits and
 * greedy ids, following the fixtures' protocol: the prompt fed one token per forward call (and again as one
 * prefill batch), logits at every position within 1e-4 (5e-3 for Gemma, whose llama.cpp GELU is an fp16 table),
 * then 24 greedy tokens equal to llama.cpp's and the logits after each generated token within the same bound.
 * Falcon and BLOOM, whose llama.cpp GELU is also a table, are held to 1e-4 against the fixtures' float64
 * transcription of transformers ({@code logits_hf_numpy}), as their README suggests, and to 5e-3 against
 * llama.cpp.
 */
@Tag("kernels")
class FamilyConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Fixture directory, its logit tolerance against the reference {@code logits}, the file to load from it (null: the
   * safetensors directory), and the tolerance against llama.cpp when that is not the reference (else 0).
   */
  private record Fixture(String name, double tolerance, String file, String logits, double llamaCppTolerance) {
    Fixture(String name, double tolerance) {
      this(name, tolerance, null);
    }

    Fixture(String name, double tolerance, String file) {
      this(name, tolerance, file, "logits_llamacpp", 0);
    }

    String label() {
      return file == null ? name : name + "/" + file;
    }
  }

  /** Checked against the float64 transformers transcription (1e-4) and llama.cpp's table GELU (5e-3). */
  private static Fixture hfNumpy(String name) {
    return new Fixture(name, 1e-4, null, "logits_hf_numpy", 5e-3);
  }

  /**
   * Each family from its safetensors directory and from its {@code model.gguf} (written as llama.cpp's converter
   * writes it: permuted q/k rows, stacked experts, rope_freqs, Gemma's 1 + w norms). tiny-mistral's GGUF is left
   * out here: GGUF's {@code llama} architecture has no sliding window, so only its rows inside the window can match
   * (see {@code mistralGgufMatchesInsideTheWindow}).
   */
  private static final List<Fixture> FIXTURES = List.of(
      new Fixture("tiny-llama", 1e-4),
      new Fixture("tiny-mistral", 1e-4),
      new Fixture("tiny-qwen2", 1e-4),
      new Fixture("tiny-qwen3", 1e-4),
      new Fixture("tiny-phi3", 1e-4),
      new Fixture("tiny-mixtral", 1e-4),
      new Fixture("tiny-gemma2", 5e-3),
      new Fixture("tiny-gemma3", 5e-3),
      new Fixture("tiny-qwen3_moe", 1e-4),
      hfNumpy("tiny-falcon"),
      hfNumpy("tiny-falcon40b"),
      hfNumpy("tiny-bloom"),
      new Fixture("tiny-gpt_oss", 1e-4),
      new Fixture("tiny-llama", 1e-4, "model.gguf"),
      new Fixture("tiny-qwen2", 1e-4, "model.gguf"),
      new Fixture("tiny-qwen3", 1e-4, "model.gguf"),
      new Fixture("tiny-phi3", 1e-4, "model.gguf"),
      new Fixture("tiny-mixtral", 1e-4, "model.gguf"),
      new Fixture("tiny-gemma2", 5e-3, "model.gguf"),
      new Fixture("tiny-gemma3", 5e-3, "model.gguf"));

  @TestFactory
  Stream<DynamicNode> fixturesMatchLlamaCpp() throws IOException {
    List<DynamicNode> nodes = new ArrayList<>();
    for (Fixture f : FIXTURES) {
      JsonNode reference = JSON.readTree(TestData.model(f.name()).resolve("reference.json").toFile());
      List<DynamicTest> tests = new ArrayList<>();
      for (JsonNode prompt : reference.get("prompts")) {
        String p = prompt.get("name").asText();
        tests.add(DynamicTest.dynamicTest(p + ": one token per call", () -> oneByOne(f, prompt)));
        tests.add(DynamicTest.dynamicTest(p + ": one prefill batch", () -> prefillBatch(f, prompt)));
        tests.add(DynamicTest.dynamicTest(p + ": generate() greedy", () -> generate(f, prompt)));
      }
      nodes.add(DynamicContainer.dynamicContainer(f.label(), tests));
    }
    return nodes.stream();
  }

  private static LanguageModel load(Fixture f) {
    Path path = f.file() == null ? TestData.model(f.name()) : TestData.model(f.name()).resolve(f.file());
    return LanguageModel.load(path, LoadOptions.defaults().withThreads(2).withTokenizer(false));
  }

  /**
   * tiny-mistral's GGUF (no window in GGUF's {@code llama} metadata, as llama.cpp runs it) equals the reference on
   * every row of the short prompt, whose 8 positions all fit in the window of 8.
   */
  @org.junit.jupiter.api.Test
  void mistralGgufMatchesInsideTheWindow() throws IOException {
    JsonNode reference = JSON.readTree(TestData.model("tiny-mistral").resolve("reference.json").toFile());
    JsonNode shortPrompt = reference.get("prompts").get(0);
    assertEquals(8, shortPrompt.get("input_ids").size());
    try (LanguageModel model = load(new Fixture("tiny-mistral", 1e-4, "model.gguf"));
         Session session = model.newSession(SessionOptions.defaults().withContextLength(64))) {
      assertEquals(0, model.config().slidingWindow());
      double diff = maxDiff(session.feedAll(ints(shortPrompt.get("input_ids"))), shortPrompt.get("logits_llamacpp"),
          model.config().vocabSize());
      assertTrue(diff <= 1e-4, "tiny-mistral GGUF prompt logits: max |Δ| = " + diff);
    }
  }

  /** The protocol of the references: one token per forward call, prompt then 24 greedy tokens. */
  private static void oneByOne(Fixture f, JsonNode prompt) {
    int[] ids = ints(prompt.get("input_ids"));
    int[] greedy = ints(prompt.get("greedy_ids_llamacpp"));
    try (LanguageModel model = load(f);
         Session session = model.newSession(SessionOptions.defaults().withContextLength(128).withBatchSize(1))) {
      int vocab = model.config().vocabSize();
      float[] all = session.feedAll(ids);
      double promptDiff = maxDiff(all, prompt.get(f.logits()), vocab);
      assertTrue(promptDiff <= f.tolerance(), f.label() + " prompt logits: max |Δ| = " + promptDiff);
      double llamaCppDiff = f.llamaCppTolerance() > 0 ? maxDiff(all, prompt.get("logits_llamacpp"), vocab) : 0;
      int[] generated = new int[greedy.length];
      float[] logits = Arrays.copyOfRange(all, all.length - vocab, all.length);
      double generatedDiff = 0;
      for (int k = 0; k < greedy.length; k++) {
        generated[k] = argmax(logits);
        if (k + 1 < greedy.length) {
          logits = session.feedAll(new int[] {generated[k]});
          generatedDiff = Math.max(generatedDiff, maxDiff(logits, prompt.get(f.logits() + "_generated").get(k), vocab));
          if (f.llamaCppTolerance() > 0) {
            llamaCppDiff = Math.max(llamaCppDiff, maxDiff(logits, prompt.get("logits_llamacpp_generated").get(k), vocab));
          }
        }
      }
      assertArrayEquals(greedy, generated, f.label() + " greedy ids");
      assertTrue(generatedDiff <= f.tolerance(), f.label() + " generated logits: max |Δ| = " + generatedDiff);
      assertTrue(llamaCppDiff <= f.llamaCppTolerance(), f.label() + " logits vs llama.cpp: max |Δ| = " + llamaCppDiff);
      System.out.printf("%s %s: max |Δlogit| vs %s prompt %.2e, generated %.2e%s, greedy equal%n", f.label(),
          prompt.get("name").asText(), f.logits(), promptDiff, generatedDiff,
          f.llamaCppTolerance() > 0 ? String.format(", vs llama.cpp %.2e", llamaCppDiff) : "");
    }
  }

  /** The prompt as one batch: batched prefill must give the same logits at every position. */
  private static void prefillBatch(Fixture f, JsonNode prompt) {
    int[] ids = ints(prompt.get("input_ids"));
    try (LanguageModel model = load(f);
         Session session = model.newSession(SessionOptions.defaults().withContextLength(128).withBatchSize(64))) {
      double diff = maxDiff(session.feedAll(ids), prompt.get(f.logits()), model.config().vocabSize());
      assertTrue(diff <= f.tolerance(), f.label() + " batched prompt logits: max |Δ| = " + diff);
    }
  }

  /** The public generation API (batched prefill, greedy sampler) gives llama.cpp's greedy ids. */
  private static void generate(Fixture f, JsonNode prompt) {
    int[] ids = ints(prompt.get("input_ids"));
    int[] greedy = ints(prompt.get("greedy_ids_llamacpp"));
    try (LanguageModel model = load(f);
         Session session = model.newSession(SessionOptions.defaults().withContextLength(128).withBatchSize(16))) {
      GenerationResult r = session.generate(ids, GenerationOptions.defaults().withMaxTokens(greedy.length)
          .withStopOnEos(false), TokenListener.NONE);
      assertArrayEquals(greedy, r.generatedIds(), f.label() + " greedy ids through generate()");
    }
  }

  /** Greedy: the highest logit, lowest id on a tie. */
  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  /** max |actual − expected| over rows of {@code vocab} logits; {@code expected} is one row or an array of rows. */
  static double maxDiff(float[] actual, JsonNode expected, int vocab) {
    boolean rows = expected.get(0).isArray();
    int n = rows ? expected.size() : 1;
    assertEquals(n * vocab, actual.length, "logit count");
    double max = 0;
    for (int r = 0; r < n; r++) {
      JsonNode row = rows ? expected.get(r) : expected;
      for (int v = 0; v < vocab; v++) {
        max = Math.max(max, Math.abs(actual[r * vocab + v] - row.get(v).asDouble()));
      }
    }
    return max;
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
