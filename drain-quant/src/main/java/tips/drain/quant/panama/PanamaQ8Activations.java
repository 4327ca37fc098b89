package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import tips.drain.quant.Q8Activations;

/**
 * Activations to Q8_0 blocks, with the same result as the reference {@code Q8Activations.quantize}:
 * {@code d = amax / 127}, {@code q = roundf(x · (1 / d))}, the scale kept as the float its F16 converts to.
 */
final class PanamaQ8Activations {
  /** Float vectors per block of 32. */
  private static final int STEPS = 32 / F.length();
  /** Shorts as many as {@link F} has lanes, to store the rounded values. */
  private static final VectorSpecies<Short> QS = VectorSpecies.of(short.class,
      VectorShape.forBitSize(Math.max(64, F.vectorBitSize() / 2)));
  /**
   * The largest float below one half: {@code trunc(|v| + this)} is C's {@code roundf(|v|)} for every
   * {@code |v| <= 127} (with 0.5 itself, 0.49999997 + 0.5 would round up to 1 and tie wrongly).
   */
  private static final float ALMOST_HALF = Math.nextDown(0.5f);

  private PanamaQ8Activations() {}

  static void quantize(float[] x, int xOffset, Q8Activations acts, int b) {
    int cols = acts.cols();
    int blocks = cols / 32;
    short[] values = acts.values();
    float[] scales = acts.scales();
    float[] sums = acts.sums();
    for (int k = 0; k < blocks; k++) {
      int from = xOffset + 32 * k;
      FloatVector amax = FloatVector.fromArray(F, x, from).abs();
      for (int j = 1; j < STEPS; j++) {
        amax = amax.max(FloatVector.fromArray(F, x, from + j * F.length()).abs());
      }
      float d = amax.reduceLanes(VectorOperators.MAX) / 127f;
      float id = d != 0f ? 1f / d : 0f;
      int to = b * cols + 32 * k;
      IntVector sum = IntVector.zero(PanamaQuantSpecies.I);
      for (int j = 0; j < STEPS; j++) {
        FloatVector v = FloatVector.fromArray(F, x, from + j * F.length()).mul(id);
        IntVector q = (IntVector) v.abs().add(ALMOST_HALF).convert(VectorOperators.F2I, 0);
        q = q.lanewise(VectorOperators.NEG, v.lt(0f).cast(PanamaQuantSpecies.I));
        sum = sum.add(q);
        ((ShortVector) q.convertShape(VectorOperators.I2S, QS, 0)).intoArray(values, to + j * F.length());
      }
      scales[b * blocks + k] = Float.float16ToFloat(Float.floatToFloat16(d));
      sums[b * blocks + k] = sum.reduceLanes(VectorOperators.ADD);
    }
  }
}
