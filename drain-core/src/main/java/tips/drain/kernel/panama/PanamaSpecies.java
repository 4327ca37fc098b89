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
  static final int BITS = VectorBits.choose(System.getProperty("drain.vectorBits"));
  /** Floats per vector. */
  static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
  /** Ints per vector: same width as {@link #F}, used to read pairs of 16-bit weights. */
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));

  private PanamaSpecies() {}
}
