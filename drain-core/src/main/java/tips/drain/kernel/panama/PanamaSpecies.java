package tips.drain.kernel.panama;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every panama kernel uses, chosen once per class loader: the platform's preferred
 * shape, or {@code -Ddrain.vectorBits=128|256|512} to force a narrower (or, for tests, any) width.
 *
 * <p>The species are {@code static final} on purpose: C2 only compiles Vector API calls to SIMD
 * instructions when the species is a compile-time constant. A species held in an instance field runs
 * 10-100x slower (measured on JDK 25), so "one instance per width" is done by the tests loading this
 * package again in a child class loader with a different {@code drain.vectorBits}, not by a constructor.
 */
final class PanamaSpecies {
  /** Vector width in bits. */
  static final int BITS = chooseBits(System.getProperty("drain.vectorBits"));
  /** Floats per vector. */
  static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
  /** Ints per vector: same width as {@link #F}, used to read pairs of 16-bit weights. */
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));

  private PanamaSpecies() {}

  static int chooseBits(String override) {
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
