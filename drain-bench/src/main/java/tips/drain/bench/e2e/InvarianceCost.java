package tips.drain.bench.e2e;

import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.model.Batch;
import tips.drain.util.Statistics;
import tips.drain.model.ForwardState;
import tips.drain.model.KvCache;
import tips.drain.model.Products;
import tips.drain.model.Transformer;
import tips.drain.util.Parallel;

/**
 * What batch invariance costs: the same forward passes with the batch-invariant products (what the engine runs)
 * and with the tiled ones (GEMM), interleaved in one run: a prompt of {@code --prompt-tokens} in steps of
 * {@code --step} tokens, and one decode step of {@code --sequences} sequences.
 *
 * <pre>java -cp drain-bench.jar tips.drain.bench.e2e.InvarianceCost --model DIR --threads 2 --reps 3</pre>
 */
public final class InvarianceCost {
  private InvarianceCost() {}

  public static void main(String[] args) {
    String model = null;
    int threads = Runtime.getRuntime().availableProcessors();
    int prompt = 128;
    int step = 64;
    int sequences = 8;
    int reps = 3;
    String quant = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = args[++i];
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--prompt-tokens" -> prompt = Integer.parseInt(args[++i]);
        case "--step" -> step = Integer.parseInt(args[++i]);
        case "--sequences" -> sequences = Integer.parseInt(args[++i]);
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--quant" -> quant = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --model DIR [--threads N]"
            + " [--prompt-tokens N] [--step N] [--sequences N] [--reps N] [--quant q8_0|q4_0]");
      }
    }
    if (model == null) {
      throw new IllegalArgumentException("--model DIR is required");
    }
    LoadOptions options = LoadOptions.defaults().withThreads(1).withTokenizer(false).withQuantization(quant);
    try (LanguageModel m = LanguageModel.load(Path.of(model), options); Parallel parallel = new Parallel(threads)) {
      Transformer t = m.transformer();
      int[] ids = new SplittableRandom(42).ints(prompt, 3, m.config().vocabSize()).toArray();
      int batchMax = Math.max(step, sequences);
      ForwardState state = new ForwardState(m.config(), batchMax, prompt + 2);
      float[] logits = new float[batchMax * m.config().vocabSize()];
      double[][] prefill = new double[2][reps];
      double[][] decode = new double[2][reps];
      for (int r = -1; r < reps; r++) { // round -1 warms up
        for (Products products : Products.values()) {
          KvCache[] caches = new KvCache[sequences];
          for (int s = 0; s < sequences; s++) {
            caches[s] = KvCache.forModel(m.config(), prompt + 2, batchMax);
          }
          Batch batch = new Batch(batchMax);
          long t0 = System.nanoTime();
          for (int off = 0; off < prompt; off += step) {
            batch.clear();
            for (int i = off; i < Math.min(prompt, off + step); i++) {
              batch.add(0, i, ids[i], i == prompt - 1);
            }
            t.forward(batch, caches, state, parallel, logits, products);
          }
          long t1 = System.nanoTime();
          // the other sequences hold the same prompt (copied positions are not needed for timing: attend over one)
          batch.clear();
          for (int s = 0; s < sequences; s++) {
            batch.add(s, s == 0 ? prompt : 0, ids[s], true);
          }
          long t2 = System.nanoTime();
          t.forward(batch, caches, state, parallel, logits, products);
          long t3 = System.nanoTime();
          if (r >= 0) {
            prefill[products.ordinal()][r] = prompt * 1e9 / (t1 - t0);
            decode[products.ordinal()][r] = sequences * 1e9 / (t3 - t2);
          }
        }
      }
      System.out.printf(Locale.ROOT, "%s %s, %d threads (%s), %d rounds interleaved%n", model, m.storedFormat(), threads,
          m.kernelsName(), reps);
      System.out.printf(Locale.ROOT, "prefill %d tokens in steps of %d: invariant %.1f tok/s, tiled %.1f tok/s (invariant/tiled %.2f)%n",
          prompt, step, Statistics.mean(prefill[0]), Statistics.mean(prefill[1]), Statistics.mean(prefill[0]) / Statistics.mean(prefill[1]));
      System.out.printf(Locale.ROOT, "one decode step of %d sequences: invariant %.1f tok/s, tiled %.1f tok/s (invariant/tiled %.2f)%n",
          sequences, Statistics.mean(decode[0]), Statistics.mean(decode[1]), Statistics.mean(decode[0]) / Statistics.mean(decode[1]));
    }
  }
}
