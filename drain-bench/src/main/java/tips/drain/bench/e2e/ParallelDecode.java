package tips.drain.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.engine.EngineCounters;
import tips.drain.engine.EngineOptions;
import tips.drain.sampling.Sampler;
import tips.drain.sampling.SamplingParams;
import tips.drain.util.Statistics;

/**
 * Aggregate decode speed of N sessions generating at once on N threads (the engine batches their steps) against
 * one session, in the same JVM and run, rounds interleaved: each session prefills its own random prompt, then all
 * decode {@code --gen-tokens} greedy tokens together; aggregate tok/s = N × tokens / wall time of the decode.
 *
 * <pre>java -cp drain-bench.jar tips.drain.bench.e2e.ParallelDecode --model DIR --threads 2 --parallel 1,4,8,16 --reps 2</pre>
 */
public final class ParallelDecode {
  private ParallelDecode() {}

  public static void main(String[] args) throws Exception {
    String model = null;
    int threads = Runtime.getRuntime().availableProcessors();
    int prompt = 128;
    int gen = 64;
    int reps = 2;
    String quant = null;
    List<Integer> parallel = List.of(1, 4, 8, 16);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = args[++i];
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--prompt-tokens" -> prompt = Integer.parseInt(args[++i]);
        case "--gen-tokens" -> gen = Integer.parseInt(args[++i]);
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--quant" -> quant = args[++i];
        case "--parallel" -> parallel = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --model DIR [--threads N]"
            + " [--prompt-tokens N] [--gen-tokens N] [--reps N] [--quant q8_0|q4_0] [--parallel 1,4,8,16]");
      }
    }
    if (model == null) {
      throw new IllegalArgumentException("--model DIR is required");
    }
    int most = parallel.stream().mapToInt(Integer::intValue).max().orElseThrow();
    LoadOptions options = LoadOptions.defaults().withThreads(threads).withTokenizer(false).withQuantization(quant)
        .withEngine(EngineOptions.defaults().withSlots(most));
    try (LanguageModel m = LanguageModel.load(Path.of(model), options)) {
      System.out.printf(Locale.ROOT, "%s %s, %d threads, %d-token prompts, %d tokens each, %d rounds (%s)%n", model,
          m.storedFormat(), threads, prompt, gen, reps, m.kernelsName());
      run(m, 1, prompt, gen); // warm-up
      double[][] speeds = new double[parallel.size()][reps];
      double[][] prefills = new double[parallel.size()][reps];
      double[][] batches = new double[parallel.size()][reps];
      for (int r = 0; r < reps; r++) {
        for (int p = 0; p < parallel.size(); p++) {
          EngineCounters.Snapshot before = m.engine().counters();
          double[] result = run(m, parallel.get(p), prompt, gen);
          EngineCounters.Snapshot after = m.engine().counters();
          speeds[p][r] = result[0];
          prefills[p][r] = result[1];
          batches[p][r] = (double) (after.stepEntries() - before.stepEntries()) / (after.steps() - before.steps());
        }
      }
      System.out.println("sessions | aggregate decode tok/s (per round) | per session | vs 1 | prefill tok/s | mean entries per step");
      double base = Statistics.mean(speeds[0]);
      for (int p = 0; p < parallel.size(); p++) {
        int n = parallel.get(p);
        double s = Statistics.mean(speeds[p]);
        System.out.printf(Locale.ROOT, "%d | %.1f %s | %.1f | %.2fx | %.1f | %.1f%n", n, s, java.util.Arrays.toString(
            java.util.Arrays.stream(speeds[p]).map(v -> Math.round(v * 10) / 10.0).toArray()), s / n, s / base,
            Statistics.mean(prefills[p]), Statistics.mean(batches[p]));
      }
    }
  }

  /** {aggregate decode tok/s, aggregate prefill tok/s} of {@code n} sessions at once. */
  private static double[] run(LanguageModel m, int n, int prompt, int gen) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CyclicBarrier prefilled = new CyclicBarrier(n);
    CyclicBarrier start = new CyclicBarrier(n);
    long[] times = new long[4 * n];
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int id = i;
        futures.add(pool.submit(() -> {
          int vocab = m.config().vocabSize();
          Sampler greedy = Sampler.create(SamplingParams.GREEDY);
          int[] ids = new SplittableRandom(42 + id + System.nanoTime()).ints(prompt, 3, vocab).toArray();
          try (Session s = m.newSession(SessionOptions.defaults().withContextLength(prompt + gen + 1))) {
            start.await();
            times[4 * id] = System.nanoTime();
            float[] logits = s.feed(ids);
            times[4 * id + 1] = System.nanoTime();
            prefilled.await();
            times[4 * id + 2] = System.nanoTime();
            for (int t = 0; t < gen; t++) {
              logits = s.feed(new int[] {greedy.sample(logits, vocab, ids, 0)});
            }
            times[4 * id + 3] = System.nanoTime();
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    long prefillStart = Long.MAX_VALUE;
    long prefillEnd = 0;
    long decodeStart = Long.MAX_VALUE;
    long decodeEnd = 0;
    for (int i = 0; i < n; i++) {
      prefillStart = Math.min(prefillStart, times[4 * i]);
      prefillEnd = Math.max(prefillEnd, times[4 * i + 1]);
      decodeStart = Math.min(decodeStart, times[4 * i + 2]);
      decodeEnd = Math.max(decodeEnd, times[4 * i + 3]);
    }
    return new double[] {(double) n * gen * 1e9 / (decodeEnd - decodeStart), (double) n * prompt * 1e9 / (prefillEnd - prefillStart)};
  }
}
