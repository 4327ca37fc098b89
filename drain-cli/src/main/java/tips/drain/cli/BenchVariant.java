package tips.drain.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import tips.drain.api.LanguageModel;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;

/**
 * One configuration {@code drain bench} measures (a loaded model, its weight format and threads, a prefill batch
 * size) with a session of its own: a repetition is one prefill of a random prompt and greedy decode steps after it.
 * Each repetition's prompt starts with another token, so the engine's prefix reuse cannot skip its prefill. The model may be shared with other configurations; closing this closes only the session.
 */
final class BenchVariant implements AutoCloseable {
  private final LanguageModel model;
  private final Session session;
  private final String weights;
  private final int batch;
  private final int promptTokens;
  private int runs;
  private final int steps;
  private final double[] prefill;
  private final double[] decode;
  private int measured;

  BenchVariant(LanguageModel model, String weights, int promptTokens, int steps, int batch, int reps) {
    this.model = model;
    this.weights = weights;
    this.batch = batch;
    this.steps = steps;
    this.promptTokens = promptTokens;
    SessionOptions options = SessionOptions.defaults().withContextLength(promptTokens + steps + 1);
    this.session = model.newSession(options);
    this.prefill = new double[reps];
    this.decode = new double[reps];
  }

  /** A repetition not counted: the JIT compiles late (C2) and the weights must be in the page cache. */
  void warmUp() {
    run();
  }

  /** One counted repetition; returns {prefill tok/s, decode tok/s}. */
  double[] measure() {
    double[] speeds = run();
    prefill[measured] = speeds[0];
    decode[measured] = speeds[1];
    measured++;
    return speeds;
  }

  private double[] run() {
    session.reset();
    int vocab = model.config().vocabSize();
    int[] prompt = new SplittableRandom(42 + runs).ints(promptTokens, 3, vocab).toArray();
    prompt[0] = 3 + runs % (vocab - 3); // a first token no earlier repetition had: nothing cached to reuse
    runs++;
    long t0 = System.nanoTime();
    float[] logits = session.feed(prompt);
    long t1 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      logits = session.feed(new int[] {argmax(logits, vocab)});
    }
    long t2 = System.nanoTime();
    return new double[] {prompt.length * 1e9 / (t1 - t0), steps * 1e9 / (t2 - t1)};
  }

  private static int argmax(float[] x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }

  LanguageModel model() {
    return model;
  }

  String name() {
    return model.directory().getFileName().toString();
  }

  /** The weight format as stored, or the one quantized to on load, upper case. */
  String weights() {
    return weights;
  }

  int threads() {
    return model.threads();
  }

  int batch() {
    return batch;
  }

  /** A short label for messages: model, weights, threads, batch. */
  String label() {
    return String.format(Locale.ROOT, "%s %s t%d b%d", name(), weights, threads(), batch);
  }

  double[] prefill() {
    return Arrays.copyOf(prefill, measured);
  }

  double[] decode() {
    return Arrays.copyOf(decode, measured);
  }

  @Override
  public void close() {
    session.close();
  }
}
