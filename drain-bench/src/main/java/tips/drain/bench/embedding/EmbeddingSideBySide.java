package tips.drain.bench.embedding;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tips.drain.api.EmbeddingModel;
import tips.drain.api.EmbeddingOptions;
import tips.drain.embedding.Pooling;
import tips.drain.tokenizer.Tokenizer;

/**
 * Embedding throughput of DRAIN's all-MiniLM-L6-v2 side by side with LangChain4j's in-process one (ONNX Runtime), in
 * one JVM: the same 1,000 sentences of 10–60 tokens (made from a fixed word list with a fixed seed), each engine's
 * {@code embedAll} over all of them, in alternating rounds after one unmeasured round each. Prints texts/s per round
 * and engine (wall time), texts per CPU-second (the process's CPU time during the pass, ONNX Runtime's native
 * threads included: on a shared, loaded machine the engine with more runnable threads gets more of the CPU, and
 * this counts the work instead), the medians and their ratios, and the largest component difference between the
 * two engines' vectors.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp drain-bench/target/drain-bench.jar \
 *   tips.drain.bench.embedding.EmbeddingSideBySide --model ../shared/models/all-MiniLM-L6-v2 --threads 2 --rounds 5
 * </pre>
 */
public final class EmbeddingSideBySide {
  private static final String[] WORDS = ("the a of to and in is it that for on was with as by at from this be are have "
      + "not but or an they which one you all we there their has been if more when will would who so no what can about "
      + "out up time people into year just some could them see other than then now only its also over new first "
      + "retrieval embedding vector search document question answer model library java compiler memory thread kernel "
      + "weather sunny stadium river mountain coffee morning evening library museum garden window winter summer "
      + "quickly slowly carefully quietly brightly unbelievable transformation internationalization").split(" ");

  private EmbeddingSideBySide() {}

  public static void main(String[] args) throws Exception {
    String model = null;
    int threads = 2;
    int rounds = 5;
    int count = 1000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = args[++i];
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--texts" -> count = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; options: --model DIR [--threads N] [--rounds N] [--texts N]");
      }
    }
    if (model == null) {
      throw new IllegalArgumentException("--model DIR (all-MiniLM-L6-v2) is required");
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (EmbeddingModel drain = EmbeddingModel.load(Path.of(model), EmbeddingOptions.defaults().withThreads(threads))) {
      List<String> texts = sentences(drain.tokenizer(), count);
      List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
      AllMiniLmL6V2EmbeddingModel lc4j = new AllMiniLmL6V2EmbeddingModel(pool);
      int tokens = texts.stream().mapToInt(drain::countTokens).sum();
      System.out.printf(Locale.ROOT, "%d texts, %d tokens (%.1f per text), %d threads, DRAIN kernels %s%n", texts.size(),
          tokens, tokens / (double) texts.size(), threads, drain.kernelsName());
      List<float[]> ours = drain.embedAll(texts);
      var theirs = lc4j.embedAll(segments).content();
      double worst = 0;
      for (int i = 0; i < texts.size(); i++) {
        float[] a = ours.get(i);
        float[] b = theirs.get(i).vector();
        for (int d = 0; d < a.length; d++) {
          worst = Math.max(worst, Math.abs(a[d] - b[d]));
        }
      }
      System.out.printf(Locale.ROOT, "largest component difference DRAIN vs LangChain4j: %.2e (cosine of text 0: %.7f)%n",
          worst, Pooling.cosine(ours.get(0), theirs.get(0).vector()));
      double[] drainRates = new double[rounds];
      double[] lc4jRates = new double[rounds];
      double[] drainPerCpu = new double[rounds];
      double[] lc4jPerCpu = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        drain.embedAll(texts);
        long t1 = System.nanoTime();
        long c1 = cpuNanos();
        lc4j.embedAll(segments);
        long t2 = System.nanoTime();
        long c2 = cpuNanos();
        drainRates[r] = texts.size() / ((t1 - t0) / 1e9);
        lc4jRates[r] = texts.size() / ((t2 - t1) / 1e9);
        drainPerCpu[r] = texts.size() / ((c1 - c0) / 1e9);
        lc4jPerCpu[r] = texts.size() / ((c2 - c1) / 1e9);
        System.out.printf(Locale.ROOT, "round %d: DRAIN %.1f texts/s (%.1f per CPU-s), LangChain4j (ONNX Runtime) %.1f texts/s "
            + "(%.1f per CPU-s); ratio %.2f wall, %.2f CPU%n", r + 1, drainRates[r], drainPerCpu[r], lc4jRates[r],
            lc4jPerCpu[r], drainRates[r] / lc4jRates[r], drainPerCpu[r] / lc4jPerCpu[r]);
      }
      double d = median(drainRates);
      double l = median(lc4jRates);
      System.out.printf(Locale.ROOT, "median: DRAIN %.1f texts/s (%.0f tokens/s), LangChain4j %.1f texts/s; DRAIN / LangChain4j = %.2f"
          + " (wall), %.2f (per CPU-second)%n", d, d * tokens / texts.size(), l, d / l, median(drainPerCpu) / median(lc4jPerCpu));
    } finally {
      pool.shutdownNow();
    }
  }

  /** CPU time of this process so far, all its threads (native ones included). */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** {@code count} sentences of 10 to 60 tokens ([CLS] and [SEP] included), the same every run. */
  static List<String> sentences(Tokenizer tokenizer, int count) {
    SplittableRandom random = new SplittableRandom(42);
    List<String> out = new ArrayList<>(count);
    while (out.size() < count) {
      int words = 6 + random.nextInt(50);
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < words; w++) {
        String word = WORDS[random.nextInt(WORDS.length)];
        sb.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : " " + word);
      }
      sb.append('.');
      int tokens = tokenizer.encode(sb.toString(), true).length;
      if (tokens >= 10 && tokens <= 60) {
        out.add(sb.toString());
      }
    }
    return out;
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
