package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tips.drain.api.GenerationOptions;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.sampling.SamplingParams;
import tips.drain.testing.TestData;

/**
 * Batch invariance on quantized weights: stories260K quantized on load to Q8_0 and Q4_0, eight requests alone and
 * then all at once on eight threads (the engine batches them through the multi-token integer kernels): greedy and
 * seeded-sampled tokens identical.
 */
@Tag("kernels")
class QuantizedBatchInvarianceTest {
  private static final int SEQUENCES = 8;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"q8_0", "q4_0", "q4_1", "q5_0", "q5_1"})
  void tokensDoNotDependOnTheBatch(String format) throws Exception {
    try (LanguageModel model = LanguageModel.load(TestData.model("stories260K"),
        LoadOptions.defaults().withThreads(2).withTokenizer(false).withQuantization(format))) {
      for (boolean sampled : new boolean[] {false, true}) {
        int[][] alone = new int[SEQUENCES][];
        for (int i = 0; i < SEQUENCES; i++) {
          alone[i] = generate(model, i, sampled);
        }
        ExecutorService pool = Executors.newFixedThreadPool(SEQUENCES);
        try {
          CyclicBarrier start = new CyclicBarrier(SEQUENCES);
          List<Callable<int[]>> tasks = new ArrayList<>();
          for (int i = SEQUENCES - 1; i >= 0; i--) {
            int seq = i;
            tasks.add(() -> {
              start.await();
              return generate(model, seq, sampled);
            });
          }
          List<Future<int[]>> together = pool.invokeAll(tasks);
          for (int j = 0; j < SEQUENCES; j++) {
            int seq = SEQUENCES - 1 - j;
            assertArrayEquals(alone[seq], together.get(j).get(), format + (sampled ? " sampled" : " greedy") + " sequence " + seq);
          }
        } finally {
          pool.shutdown();
        }
      }
    }
  }

  private static int[] generate(LanguageModel model, int i, boolean sampled) {
    int[] prompt = new int[4 + 5 * i];
    for (int k = 0; k < prompt.length; k++) {
      prompt[k] = 1 + (k * 37 + i * 101) % 500;
    }
    try (Session s = model.newSession(SessionOptions.defaults().withContextLength(96))) {
      SamplingParams sampling = sampled ? SamplingParams.GREEDY.withTemperature(1f).withTopP(0.9f).withSeed(5 + i) : SamplingParams.GREEDY;
      return s.generate(prompt, GenerationOptions.defaults().withMaxTokens(12).withStopOnEos(false).withSampling(sampling),
          (id, text) -> {}).generatedIds();
    }
  }
}
