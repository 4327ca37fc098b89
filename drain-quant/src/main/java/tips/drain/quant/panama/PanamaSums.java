package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * The sum of a float vector's lanes in one fixed order, halves added pairwise: {@code reduceLanes(ADD)} leaves
 * the order open, and the interpreter, C1 and C2 do take different ones, so a row computed before and after its
 * loop is compiled could differ in its last bit (threads split a product at any row: a row must not depend on it).
 */
final class PanamaSums {
  /** {@code HALVES[k]}: lane {@code i} takes lane {@code i ^ (F.length() >> (k + 1))}. */
  @SuppressWarnings("unchecked")
  private static final VectorShuffle<Float>[] HALVES = new VectorShuffle[Integer.numberOfTrailingZeros(F.length())];

  static {
    for (int k = 0; k < HALVES.length; k++) {
      int distance = F.length() >> (k + 1);
      HALVES[k] = VectorShuffle.fromOp(F, i -> i ^ distance);
    }
  }

  private PanamaSums() {}

  static float sum(FloatVector v) {
    for (VectorShuffle<Float> halves : HALVES) {
      v = v.add(v.rearrange(halves));
    }
    return v.lane(0);
  }
}
