package tips.drain.quant.panama;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import tips.drain.kernel.panama.VectorBits;

/**
 * The vector species of the quantized kernels, chosen once per class loader like core's: the platform's
 * preferred width, or {@code -Ddrain.vectorBits=128|256|512}. They are {@code static final} because C2
 * compiles Vector API calls to SIMD instructions only for constant species; tests load this package again
 * in a child class loader to run the other widths.
 *
 * <p>The integer loops multiply in 16-bit lanes: int8 weights are widened to {@link #S} (32 lanes at 512
 * bits) from {@link #B}, a product of two int8 fits a short, and a pair of them fits too, so pairs are
 * summed into the {@link #I} lanes before they become floats. Q4_0 unpacks 16 bytes of nibbles into
 * {@link #HS} (half width) lanes loaded from {@link #HB}.
 */
final class PanamaQuantSpecies {
  /** Vector width in bits. */
  static final int BITS = VectorBits.choose(System.getProperty("drain.vectorBits"));
  static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));
  static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(BITS));
  /** As many bytes as {@link #S} has lanes. */
  static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(BITS / 2));
  /** Q4_0: as many shorts as {@link #I} has lanes, but at least 8 (there is no 32-bit byte vector to widen from). */
  static final VectorSpecies<Short> HS = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(128, BITS / 2)));
  /** As many bytes as {@link #HS} has lanes. */
  static final VectorSpecies<Byte> HB = VectorSpecies.of(byte.class, VectorShape.forBitSize(HS.vectorBitSize() / 2));
  /** Vectors of {@link #I} that one {@link #HS} vector widens to: 1, or 2 at 128 bits. */
  static final int HS_PARTS = HS.length() / I.length();

  private PanamaQuantSpecies() {}
}
