package tips.drain.kernel.panama;

import jdk.incubator.vector.VectorShape;

/**
 * The vector width every panama package of DRAIN (core's kernels, drain-quant's) computes with: the platform's
 * preferred shape, or {@code -Ddrain.vectorBits=128|256|512} to force a narrower one. Each package keeps its
 * species in {@code static final} fields of its own (C2 vectorizes only constant species) and asks this
 * class for the width.
 */
public final class VectorBits {
  private VectorBits() {}

  /** The width for {@code override} (the value of {@code drain.vectorBits}, or null for the preferred one). */
  public static int choose(String override) {
    int preferred = VectorShape.preferredShape().vectorBitSize();
    if (override == null || override.isBlank()) {
      if (preferred < 128) {
        throw new IllegalStateException("the preferred vector shape has " + preferred + " bits; DRAIN needs at least 128");
      }
      return preferred;
    }
    int bits;
    try {
      bits = Integer.parseInt(override.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-Ddrain.vectorBits must be 128, 256 or 512, not '" + override + "'", e);
    }
    if (bits != 128 && bits != 256 && bits != 512) {
      throw new IllegalArgumentException("-Ddrain.vectorBits must be 128, 256 or 512, not " + bits);
    }
    if (bits > preferred) {
      throw new IllegalArgumentException(
          "-Ddrain.vectorBits=" + bits + " is wider than this CPU's preferred vector shape (" + preferred + " bits)");
    }
    return bits;
  }
}
