package tips.drain.model;

/**
 * ALiBi ("Attention with Linear Biases", BLOOM): head {@code h}'s score of a key {@code d} positions before the
 * query gets {@code -slope_h · d}. The slopes are those of transformers' {@code build_alibi_tensor}: for the
 * largest power of two {@code n <= heads}, {@code 2^(-8(h+1)/n)}; the remaining heads take every other slope
 * of the series for {@code 2n} heads, {@code 2^(-4(2j+1)/n)}.
 */
public final class Alibi {
  private Alibi() {}

  /** The slope of every head, computed in float as PyTorch does from its float32 base. */
  public static float[] slopes(int heads) {
    if (heads < 1) {
      throw new IllegalArgumentException("ALiBi needs at least one head, got " + heads);
    }
    int closest = Integer.highestOneBit(heads);
    float[] slopes = new float[heads];
    // base = 2 ** (-(2 ** -(log2(closest) - 3))), slopes = base ** (1 .. closest)
    float base = (float) Math.pow(2, -Math.pow(2, -(log2(closest) - 3)));
    for (int h = 0; h < closest; h++) {
      slopes[h] = (float) Math.pow(base, h + 1);
    }
    if (closest < heads) {
      float extraBase = (float) Math.pow(2, -Math.pow(2, -(log2(2 * closest) - 3)));
      for (int j = 0; j < heads - closest; j++) {
        slopes[closest + j] = (float) Math.pow(extraBase, 2 * j + 1);
      }
    }
    return slopes;
  }

  private static int log2(int powerOfTwo) {
    return Integer.numberOfTrailingZeros(powerOfTwo);
  }
}
