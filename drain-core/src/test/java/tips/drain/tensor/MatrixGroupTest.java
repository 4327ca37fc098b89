package tips.drain.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tips.drain.kernel.KernelProvider;
import tips.drain.util.Parallel;

/** A group's products equal each matrix's own, whatever the threads and however chunks cross matrices. */
@Tag("kernels")
class MatrixGroupTest {

  @Test
  void equalsTheProductsOneByOne() {
    Random rnd = new Random(7);
    int cols = 96;
    Matrix q = dense(rnd, 512, cols, DType.F32);
    Matrix k = dense(rnd, 80, cols, DType.BF16);
    Matrix v = dense(rnd, 80, cols, DType.F16);
    float[] x = new float[cols];
    for (int i = 0; i < cols; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    for (int threads = 1; threads <= 3; threads++) {
      try (Parallel parallel = new Parallel(threads)) {
        float[][] want = {new float[512], new float[80], new float[80]};
        q.matvec(x, want[0], 0, 512);
        k.matvec(x, want[1], 0, 80);
        v.matvec(x, want[2], 0, 80);
        float[][] got = {new float[512], new float[80], new float[80]};
        new MatrixGroup(q, k, v).matvec(x, got, parallel);
        for (int i = 0; i < 3; i++) {
          assertArrayEquals(want[i], got[i], "matrix " + i + ", " + threads + " threads");
        }
      }
    }
  }

  @Test
  void refusesMatricesOfOtherWidthsAndWrongOutputs() {
    Random rnd = new Random(1);
    Matrix a = dense(rnd, 16, 32, DType.F32);
    Matrix b = dense(rnd, 16, 64, DType.F32);
    assertThrows(IllegalArgumentException.class, () -> new MatrixGroup(a, b));
    try (Parallel parallel = new Parallel(2)) {
      assertThrows(IllegalArgumentException.class, () -> new MatrixGroup(a, a).matvec(new float[32], new float[][] {new float[16]}, parallel));
    }
  }

  private static DenseMatrix dense(Random rnd, int rows, int cols, DType type) {
    MemorySegment data = java.lang.foreign.Arena.ofAuto().allocate((long) rows * cols * type.bytes(), 64);
    for (long i = 0; i < (long) rows * cols; i++) {
      float value = (float) rnd.nextGaussian() * 0.1f;
      switch (type) {
        case F32 -> data.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i, value);
        case F16 -> data.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(value));
        default -> data.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(value) >>> 16));
      }
    }
    return new DenseMatrix(data, type, rows, cols, KernelProvider.kernels());
  }
}
