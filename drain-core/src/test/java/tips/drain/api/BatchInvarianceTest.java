package tips.drain.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tips.drain.engine.EngineCounters;
import tips.drain.engine.EngineOptions;
import tips.drain.model.Batch;
import tips.drain.model.ForwardState;
import tips.drain.model.KvCache;
import tips.drain.model.Products;
import tips.drain.model.Transformer;
import tips.drain.sampling.SamplingParams;
import tips.drain.testing.TestData;

/**
 * Batch invariance: a request's greedy and seeded-sampled tokens, and its logits bit for bit, are the same whether it
 * runs alone or with 1 or 15 others on other threads, wherever it lands in the batch; on stories260K and on tiny
 * fixtures with sliding windows and soft-capping (Gemma 2), a mixture of experts (Mixtral), q/k norms (Qwen 3),
 * parallel attention and MLP with a fused grouped qkv (Falcon-40B), ALiBi and LayerNorms (BLOOM), and sinks with
 * biased experts (GPT-OSS).
 */
@Tag("kernels")
class BatchInvarianceTest {
  private static final int SEQUENCES = 16;
  private static final int GENERATED = 10;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"stories260K", "tiny-gemma2", "tiny-mixtral", "tiny-qwen3", "tiny-falcon40b", "tiny-bloom",
      "tiny-gpt_oss"})
  void tokensDoNotDependOnTheBatch(String name) throws Exception {
    try (LanguageModel model = load(name)) {
      int vocab = model.config().vocabSize();
      int[][] prompts = prompts(vocab);
      for (boolean sampled : new boolean[] {false, true}) {
        int[][] alone = new int[SEQUENCES][];
        for (int i = 0; i < SEQUENCES; i++) {
          alone[i] = generate(model, prompts[i], i, sampled);
        }
        // with one other, in both orders; then all sixteen, started last to first
        for (int[] group : new int[][] {{0, 1}, {1, 0}, {7, 3}, reversed(SEQUENCES)}) {
          long stepsBefore = model.engine().counters().steps();
          long entriesBefore = model.engine().counters().stepEntries();
          int[][] together = concurrently(model, prompts, group, sampled);
          for (int j = 0; j < group.length; j++) {
            assertArrayEquals(alone[group[j]], together[j], name + (sampled ? " sampled" : " greedy") + ": sequence "
                + group[j] + " with " + (group.length - 1) + " others");
          }
          EngineCounters.Snapshot after = model.engine().counters();
          // (two tiny sessions may well run one after the other; sixteen share steps)
          assertTrue(group.length == 2 || after.stepEntries() - entriesBefore > after.steps() - stepsBefore,
              "the concurrent sessions shared steps (" + (after.stepEntries() - entriesBefore) + " entries in "
                  + (after.steps() - stepsBefore) + " steps)");
        }
      }
    }
  }

  /** Sequences of different lengths fed together: each one's logits, after every id, bit for bit those of its alone run. */
  @Test
  void manySequencesOfDifferentLengthsMatchTheirAloneLogits() throws Exception {
    try (LanguageModel model = load("stories260K")) {
      int[][] prompts = prompts(model.config().vocabSize());
      float[][] alone = new float[SEQUENCES][];
      for (int i = 0; i < SEQUENCES; i++) {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(128))) {
          alone[i] = s.feedAll(prompts[i]);
        }
      }
      ExecutorService pool = Executors.newFixedThreadPool(SEQUENCES);
      try {
        List<Future<float[]>> futures = new ArrayList<>();
        for (int i = SEQUENCES - 1; i >= 0; i--) {
          int[] prompt = prompts[i];
          futures.add(pool.submit(() -> {
            try (Session s = model.newSession(SessionOptions.defaults().withContextLength(128))) {
              return s.feedAll(prompt);
            }
          }));
        }
        for (int i = 0; i < SEQUENCES; i++) {
          float[] got = futures.get(SEQUENCES - 1 - i).get();
          assertEquals(alone[i].length, got.length);
          for (int k = 0; k < got.length; k++) {
            assertEquals(Float.floatToRawIntBits(alone[i][k]), Float.floatToRawIntBits(got[k]),
                "sequence " + i + " logit " + k + ": " + got[k] + " together, " + alone[i][k] + " alone");
          }
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  /**
   * The check above can fail: on the Vector API kernels the tiled prefill products of the same prompt (one GEMM over
   * its tokens) round differently from the invariant ones, so a kernel whose sums depended on the batch would show;
   * the scalar kernels have one order for both.
   */
  @Test
  void tiledProductsRoundDifferently() {
    try (LanguageModel model = load("stories260K")) {
      Transformer t = model.transformer();
      int[] prompt = prompts(model.config().vocabSize())[SEQUENCES - 1];
      int vocab = model.config().vocabSize();
      float[] invariant = new float[prompt.length * vocab];
      float[] tiled = new float[prompt.length * vocab];
      for (Products products : Products.values()) {
        KvCache cache = KvCache.forModel(model.config(), 64, prompt.length);
        ForwardState state = new ForwardState(model.config(), prompt.length, 64);
        Batch batch = new Batch(prompt.length);
        for (int i = 0; i < prompt.length; i++) {
          batch.add(0, i, prompt[i], true);
        }
        try (tips.drain.util.Parallel p = new tips.drain.util.Parallel(1)) {
          t.forward(batch, new KvCache[] {cache}, state, p, products == Products.TILED ? tiled : invariant, products);
        }
      }
      boolean differ = false;
      for (int k = 0; k < tiled.length && !differ; k++) {
        differ = Float.floatToRawIntBits(tiled[k]) != Float.floatToRawIntBits(invariant[k]);
      }
      if (tips.drain.kernel.KernelProvider.isVectorized()) {
        assertTrue(differ, "GEMM and per-token products of a " + prompt.length + "-token prompt round the same everywhere");
      } else {
        // the scalar kernels' matmul is their matvec row by row: the same sums, which this check must see as such
        assertFalse(differ, "the scalar matmul and matvecs differ on a " + prompt.length + "-token prompt");
      }
    }
  }

  private static LanguageModel load(String name) {
    return LanguageModel.load(TestData.model(name), LoadOptions.defaults().withThreads(2).withTokenizer(false)
        .withEngine(EngineOptions.defaults().withSlots(SEQUENCES).withStepTokens(24)));
  }

  /** Prompts of 3 to 48 ids, all different. */
  private static int[][] prompts(int vocab) {
    int[][] prompts = new int[SEQUENCES][];
    for (int i = 0; i < SEQUENCES; i++) {
      prompts[i] = new int[3 + 3 * i];
      for (int k = 0; k < prompts[i].length; k++) {
        prompts[i][k] = 1 + (int) ((k * 7919L + i * 104729L) % (vocab - 1));
      }
    }
    return prompts;
  }

  private static int[] reversed(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = n - 1 - i;
    }
    return order;
  }

  private static int[] generate(LanguageModel model, int[] prompt, int i, boolean sampled) {
    try (Session s = model.newSession(SessionOptions.defaults().withContextLength(128))) {
      SamplingParams sampling = sampled ? SamplingParams.GREEDY.withTemperature(1.0f).withTopP(0.95f).withSeed(17 + i)
          : SamplingParams.GREEDY;
      return s.generate(prompt, GenerationOptions.defaults().withMaxTokens(GENERATED).withStopOnEos(false)
          .withSampling(sampling), (id, text) -> {}).generatedIds();
    }
  }

  private static int[][] concurrently(LanguageModel model, int[][] prompts, int[] group, boolean sampled) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(group.length);
    try {
      List<Callable<int[]>> tasks = new ArrayList<>();
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(group.length);
      for (int i : group) {
        tasks.add(() -> {
          start.await();
          return generate(model, prompts[i], i, sampled);
        });
      }
      List<Future<int[]>> futures = pool.invokeAll(tasks);
      int[][] out = new int[group.length][];
      for (int j = 0; j < group.length; j++) {
        out[j] = futures.get(j).get();
      }
      assertFalse(pool.isShutdown());
      return out;
    } finally {
      pool.shutdown();
    }
  }
}
