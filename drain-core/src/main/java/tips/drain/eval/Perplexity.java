package tips.drain.eval;

import tips.drain.DrainException;
import tips.drain.api.LanguageModel;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;

/**
 * Perplexity of a model over a token sequence, with llama.cpp's protocol so figures compare with its
 * {@code llama-perplexity}: the text is cut into chunks of {@code context} tokens, each chunk starts with BOS
 * (replacing its first token) in a fresh context, and only the second half of each chunk is scored (every
 * scored token sees at least {@code context/2} tokens before it). With a reference model, also the mean KL
 * divergence of the token distributions and how often both models agree on the most likely token (llama.cpp's
 * {@code --kl-divergence}).
 */
public final class Perplexity {
  private Perplexity() {}

  public static PerplexityResult evaluate(LanguageModel model, LanguageModel reference, int[] tokens, int context) {
    if (context < 4) {
      throw new IllegalArgumentException("context must be at least 4 tokens, got " + context);
    }
    int chunks = tokens.length / context;
    if (chunks == 0) {
      throw new DrainException("the text has " + tokens.length + " tokens, fewer than one context of " + context
          + ": use a longer text or a smaller --context");
    }
    int vocab = model.config().vocabSize();
    if (reference != null && reference.config().vocabSize() != vocab) {
      throw new DrainException("the reference has a vocabulary of " + reference.config().vocabSize()
          + " tokens, the model " + vocab + ": they cannot be compared");
    }
    int bos = model.config().bosTokenId();
    int first = context / 2;
    double nll = 0;
    double refNll = 0;
    double kl = 0;
    int agree = 0;
    int scored = 0;
    SessionOptions options = SessionOptions.defaults().withContextLength(context).withBatchSize(Math.min(context, 64));
    try (Session session = model.newSession(options); Session refSession = reference == null ? null : reference.newSession(options)) {
      double[] logp = new double[vocab];
      double[] refLogp = new double[vocab];
      for (int c = 0; c < chunks; c++) {
        int[] chunk = java.util.Arrays.copyOfRange(tokens, c * context, (c + 1) * context);
        if (bos >= 0) {
          chunk[0] = bos;
        }
        session.reset();
        float[] logits = session.feedAll(chunk);
        float[] refLogits = null;
        if (refSession != null) {
          refSession.reset();
          refLogits = refSession.feedAll(chunk);
        }
        for (int p = first; p < context - 1; p++) {
          int next = chunk[p + 1];
          logSoftmax(logits, p * vocab, vocab, logp);
          nll -= logp[next];
          if (refLogits != null) {
            logSoftmax(refLogits, p * vocab, vocab, refLogp);
            refNll -= refLogp[next];
            double d = 0;
            for (int v = 0; v < vocab; v++) {
              d += Math.exp(refLogp[v]) * (refLogp[v] - logp[v]);
            }
            kl += d;
            if (argmax(logp) == argmax(refLogp)) {
              agree++;
            }
          }
          scored++;
        }
      }
    }
    boolean ref = reference != null;
    return new PerplexityResult(Math.exp(nll / scored), scored, chunks, ref ? kl / scored : Double.NaN,
        ref ? agree / (double) scored : Double.NaN, ref ? Math.exp(refNll / scored) : Double.NaN);
  }

  /** {@code out[v] = x[off+v] - log Σ exp(x)}, in double. */
  static void logSoftmax(float[] x, int off, int n, double[] out) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.exp(x[off + i] - max);
    }
    double log = max + Math.log(sum);
    for (int i = 0; i < n; i++) {
      out[i] = x[off + i] - log;
    }
  }

  private static int argmax(double[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }
}
