package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import tips.drain.quant.Q8Activations;
import tips.drain.quant.Q8KActivations;

/**
 * Activations to Q8_0 blocks, with the same result as the reference {@code Q8Activations.quantize} (x86 ggml's):
 * {@code d = amax / 127}, {@code q = round-half-even(x · (127 / amax))}, the scale kept as the float its F16
 * converts to, and Q8_1's {@code s}.
 */
final class PanamaQ8Activations {
  /** Float vectors per block of 32. */
  private static final int STEPS = 32 / F.length();
  /** Shorts as many as {@link F} has lanes, to store the rounded values. */
  private static final VectorSpecies<Short> QS = VectorSpecies.of(short.class,
      VectorShape.forBitSize(Math.max(64, F.vectorBitSize() / 2)));
  /** {@code 1.5 · 2²³}: {@code (v + this) - this} is {@code v} rounded half to even, for every {@code |v| < 2²²}. */
  private static final float ROUNDER = 12582912f;

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
      float max = amax.reduceLanes(VectorOperators.MAX);
      float d = max / 127f;
      float id = max != 0f ? 127f / max : 0f;
      int to = b * cols + 32 * k;
      IntVector sum = IntVector.zero(PanamaQuantSpecies.I);
      for (int j = 0; j < STEPS; j++) {
        FloatVector v = FloatVector.fromArray(F, x, from + j * F.length()).mul(id);
        IntVector q = (IntVector) v.add(ROUNDER).sub(ROUNDER).convert(VectorOperators.F2I, 0);
        sum = sum.add(q);
        ((ShortVector) q.convertShape(VectorOperators.I2S, QS, 0)).intoArray(values, to + j * F.length());
      }
      scales[b * blocks + k] = Float.float16ToFloat(Float.floatToFloat16(d));
      int total = sum.reduceLanes(VectorOperators.ADD);
      sums[b * blocks + k] = total;
      acts.sumScales()[b * blocks + k] = Float.float16ToFloat(Float.floatToFloat16(d * total));
    }
  }

  /**
   * Activations to Q8_K super-blocks, with the same result as the reference {@code Q8KActivations.quantize}
   * (ggml's {@code quantize_row_q8_K_ref}): the signed maximum is the first element of largest magnitude,
   * {@code q = min(127, round-half-even(x · (-127 / max)))}, {@code d = 1 / iscale}, and the sums of each group
   * of 16 (integers, exact in any order).
   */
  static void quantize(float[] x, int xOffset, Q8KActivations acts, int b) {
    int cols = acts.cols();
    int blocks = cols / 256;
    short[] values = acts.values();
    float[] scales = acts.scales();
    int[] bsums = acts.bsums();
    for (int k = 0; k < blocks; k++) {
      int from = xOffset + 256 * k;
      FloatVector amaxes = FloatVector.zero(F);
      for (int i = 0; i < 256; i += F.length()) {
        amaxes = amaxes.max(FloatVector.fromArray(F, x, from + i).abs());
      }
      float amax = amaxes.reduceLanes(VectorOperators.MAX);
      int to = b * cols + 256 * k;
      if (amax == 0f) {
        Arrays.fill(values, to, to + 256, (short) 0);
        Arrays.fill(bsums, (b * blocks + k) * 16, (b * blocks + k + 1) * 16, 0);
        scales[b * blocks + k] = 0f;
        continue;
      }
      float max = 0f;
      for (int i = 0; i < 256; i += F.length()) {
        FloatVector v = FloatVector.fromArray(F, x, from + i);
        VectorMask<Float> at = v.abs().eq(amax);
        if (at.anyTrue()) {
          max = v.lane(at.firstTrue());
          break;
        }
      }
      float iscale = -127f / max;
      for (int g = 0; g < 16; g++) {
        IntVector sum = IntVector.zero(PanamaQuantSpecies.I);
        for (int i = 16 * g; i < 16 * g + 16; i += F.length()) {
          FloatVector v = FloatVector.fromArray(F, x, from + i).mul(iscale);
          IntVector q = ((IntVector) v.add(ROUNDER).sub(ROUNDER).convert(VectorOperators.F2I, 0)).min(127);
          sum = sum.add(q);
          ((ShortVector) q.convertShape(VectorOperators.I2S, QS, 0)).intoArray(values, to + i);
        }
        bsums[(b * blocks + k) * 16 + g] = sum.reduceLanes(VectorOperators.ADD);
      }
      scales[b * blocks + k] = 1f / iscale;
    }
  }
}
