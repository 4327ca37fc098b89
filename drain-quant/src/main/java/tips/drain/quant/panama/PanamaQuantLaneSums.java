package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * The sum of a vector's lanes in one fixed order, halves first, as core's {@code PanamaLaneSums} adds them, over
 * this package's species (the tests load it in class loaders of other widths). {@code reduceLanes(ADD)} leaves
 * the order to the implementation, and C2 and the Java fallback that runs before it round differently: a
 * token's products must come out the same before and after warm-up, alone or batched.
 */
final class PanamaQuantLaneSums {
  private static final int LANES = F.length();
  private static final VectorShuffle<Float> XOR1 = VectorShuffle.fromOp(F, i -> (i ^ 1) & (LANES - 1));
  private static final VectorShuffle<Float> XOR2 = VectorShuffle.fromOp(F, i -> (i ^ 2) & (LANES - 1));
  private static final VectorShuffle<Float> XOR4 = VectorShuffle.fromOp(F, i -> (i ^ 4) & (LANES - 1));
  private static final VectorShuffle<Float> XOR8 = VectorShuffle.fromOp(F, i -> (i ^ 8) & (LANES - 1));

  private PanamaQuantLaneSums() {}

  static float sum(FloatVector v) {
    if (LANES >= 16) {
      v = v.add(v.rearrange(XOR8));
    }
    if (LANES >= 8) {
      v = v.add(v.rearrange(XOR4));
    }
    if (LANES >= 4) {
      v = v.add(v.rearrange(XOR2));
    }
    v = v.add(v.rearrange(XOR1));
    return v.lane(0);
  }
}
