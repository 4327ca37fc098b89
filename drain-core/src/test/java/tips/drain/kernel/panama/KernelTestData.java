package tips.drain.kernel.panama;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.DType;
import tips.drain.tensor.Floats;

/**
 * Random inputs and the comparison rule for kernel tests.
 *
 * <p>Tolerance: an optimized kernel sums in a different order than the scalar reference (several
 * accumulators, lane-wise partial sums), and both round every partial sum to float. The error of a
 * float sum of products is bounded by {@code n·2^-24·Σ|a_i·b_i|} and is about {@code √n·2^-24·Σ|a_i·b_i|}
 * for random signs; so results are compared with {@code |got - want| <= REL · Σ|a_i·b_i| + ABS}, REL = 2e-5
 * (enough for n up to ~16K with margin, still 1000× below the error of a wrong index or a lost tail).
 */
final class KernelTestData {
  static final double REL = 2e-5;
  static final double ABS = 1e-30;
  /** The odd sizes of Lucene's vector tests, plus real model dimensions. */
  static final int[] SIZES = {1, 13, 207, 702, 2048};

  private KernelTestData() {}

  static float[] floats(Random rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }

  /**
   * A weight segment of {@code n} elements of {@code type}, starting {@code pad} elements into a larger
   * allocation (so vector loads are unaligned). Values are N(0, 0.05), with zeros and (for F16) subnormals mixed in.
   */
  static MemorySegment weights(Arena arena, Random rnd, DType type, int n, int pad) {
    MemorySegment all = arena.allocate((long) (n + pad) * type.bytes() + 64, 64);
    MemorySegment w = all.asSlice((long) pad * type.bytes(), (long) n * type.bytes());
    for (int i = 0; i < n; i++) {
      float v = (float) (rnd.nextGaussian() * 0.05);
      int kind = rnd.nextInt(50);
      if (kind == 0) {
        v = 0f;
      } else if (kind == 1) {
        v = (float) (rnd.nextGaussian() * 3e-6); // an F16 subnormal
      }
      switch (type) {
        case F32 -> w.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i, v);
        case BF16 -> w.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, Floats.floatToBf16(v));
        case F16 -> w.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, Floats.floatToF16(v));
        default -> throw new IllegalArgumentException(type.toString());
      }
    }
    return w;
  }

  /** Σ|w[row, k]·x[xOff + k]| for the tolerance of one output of a matrix product. */
  static double magnitude(DType type, MemorySegment w, int row, int cols, float[] x, int xOff) {
    double sum = 0;
    for (int k = 0; k < cols; k++) {
      sum += Math.abs((double) ScalarKernels.weight(type, w, (long) row * cols + k) * x[xOff + k]);
    }
    return sum;
  }

  static double magnitude(float[] a, int aOff, float[] b, int bOff, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.abs((double) a[aOff + i] * b[bOff + i]);
    }
    return sum;
  }

  static void assertClose(double want, double got, double magnitude, String what) {
    double allowed = REL * magnitude + ABS;
    assertTrue(Math.abs(want - got) <= allowed,
        () -> what + ": expected " + want + " but got " + got + " (|diff| " + Math.abs(want - got) + " > " + allowed + ")");
  }
}
