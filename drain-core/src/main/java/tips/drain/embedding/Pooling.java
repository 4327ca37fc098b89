package tips.drain.embedding;

/**
 * How sentence-transformers' {@code Pooling} module turns a text's token vectors into one vector
 * ({@code 1_Pooling/config.json}); with several modes on, their results are concatenated in this order.
 */
public enum Pooling {
  /** {@code pooling_mode_cls_token}: the first token's vector. */
  CLS("pooling_mode_cls_token"),
  /** {@code pooling_mode_max_tokens}: the maximum of each dimension over the tokens. */
  MAX("pooling_mode_max_tokens"),
  /** {@code pooling_mode_mean_tokens}: the mean over the tokens (special tokens included). */
  MEAN("pooling_mode_mean_tokens"),
  /** {@code pooling_mode_mean_sqrt_len_tokens}: the sum divided by the square root of the token count. */
  MEAN_SQRT_LEN("pooling_mode_mean_sqrt_len_tokens"),
  /** {@code pooling_mode_weightedmean_tokens}: token {@code i} (from 0) weighted {@code i + 1}. */
  WEIGHTED_MEAN("pooling_mode_weightedmean_tokens"),
  /** {@code pooling_mode_lasttoken}: the last token's vector. */
  LAST_TOKEN("pooling_mode_lasttoken");

  private final String field;

  Pooling(String field) {
    this.field = field;
  }

  /** The key of {@code 1_Pooling/config.json} that turns this mode on. */
  public String field() {
    return field;
  }

  /**
   * Pools {@code len} rows of {@code hidden} floats from {@code states[from * hidden]} into
   * {@code out[outOff .. outOff + hidden)}, accumulating in double.
   */
  public void pool(float[] states, int from, int len, int hidden, float[] out, int outOff) {
    switch (this) {
      case CLS -> System.arraycopy(states, from * hidden, out, outOff, hidden);
      case LAST_TOKEN -> System.arraycopy(states, (from + len - 1) * hidden, out, outOff, hidden);
      case MAX -> {
        for (int d = 0; d < hidden; d++) {
          float m = Float.NEGATIVE_INFINITY;
          for (int t = 0; t < len; t++) {
            m = Math.max(m, states[(from + t) * hidden + d]);
          }
          out[outOff + d] = m;
        }
      }
      case MEAN, MEAN_SQRT_LEN, WEIGHTED_MEAN -> {
        double[] sum = new double[hidden];
        double weights = 0;
        for (int t = 0; t < len; t++) {
          double w = this == WEIGHTED_MEAN ? t + 1 : 1;
          weights += w;
          int row = (from + t) * hidden;
          for (int d = 0; d < hidden; d++) {
            sum[d] += w * states[row + d];
          }
        }
        double divisor = this == MEAN_SQRT_LEN ? Math.sqrt(len) : weights;
        for (int d = 0; d < hidden; d++) {
          out[outOff + d] = (float) (sum[d] / divisor);
        }
      }
    }
  }

  /** {@code v / max(‖v‖, 1e-12)} in place (sentence-transformers' {@code Normalize}, torch's {@code F.normalize}). */
  public static void normalize(float[] v) {
    double ss = 0;
    for (float x : v) {
      ss += (double) x * x;
    }
    double inv = 1.0 / Math.max(Math.sqrt(ss), 1e-12);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] * inv);
    }
  }

  /** The cosine similarity of two vectors of the same length. */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("vectors of " + a.length + " and " + b.length + " dimensions");
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-24);
  }
}
