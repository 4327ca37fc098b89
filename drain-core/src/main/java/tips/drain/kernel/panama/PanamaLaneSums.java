package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaSpecies.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * The sum of a vector's lanes in one fixed order: halves, then quarters, down to one lane. The Vector API's
 * {@code reduceLanes(ADD)} leaves the order to the implementation (C2's intrinsic adds as a tree, the Java
 * fallback that runs before C2 compiles a method adds lane after lane), so the same call could round
 * differently before and after warm-up. The products of a forward pass must not: a request's output must be
 * the same whether it runs first or later, alone or in a batch.
 */
final class PanamaLaneSums {
  private static final int LANES = F.length();
  private static final VectorShuffle<Float> XOR1 = VectorShuffle.fromOp(F, i -> (i ^ 1) & (LANES - 1));
  private static final VectorShuffle<Float> XOR2 = VectorShuffle.fromOp(F, i -> (i ^ 2) & (LANES - 1));
  private static final VectorShuffle<Float> XOR4 = VectorShuffle.fromOp(F, i -> (i ^ 4) & (LANES - 1));
  private static final VectorShuffle<Float> XOR8 = VectorShuffle.fromOp(F, i -> (i ^ 8) & (LANES - 1));

  private PanamaLaneSums() {}

  /** {@code Σ v[i]}, pairwise from the widest stride down: the same rounding in every JIT tier. */
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
