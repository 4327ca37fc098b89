package tips.drain.kernel.panama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static tips.drain.kernel.panama.KernelTestData.assertClose;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tips.drain.kernel.Kernels;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.DType;

/**
 * The batch-invariant products ({@link Kernels#matvecs}): every token's result bit for bit what {@link Kernels#matvec}
 * gives for that token alone, whatever the batch (1 to 33 tokens, leftovers of the four-token loop), the row range
 * and the token's place in the batch; and close to the scalar reference. Every width, dtype, odd sizes.
 */
class PanamaMatVecsTest {
  private static final Kernels SCALAR = new ScalarKernels();
  private static final DType[] TYPES = {DType.F32, DType.BF16, DType.F16};
  private static final int[] COLS = {1, 13, 33, 207, 702, 2051};
  private static final int[] BATCHES = {1, 2, 3, 5, 8, 16, 33};

  static Stream<Arguments> widthsAndTypes() {
    List<Arguments> args = new ArrayList<>();
    for (int bits : PanamaKernelsLoader.widths()) {
      for (DType type : TYPES) {
        args.add(Arguments.of(bits, type));
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndTypes")
  void everyTokenIsSummedAsAlone(int bits, DType type) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits * 41L + type.ordinal());
    try (Arena arena = Arena.ofConfined()) {
      for (int cols : COLS) {
        int rows = cols % 2 == 0 ? 10 : 19;
        MemorySegment w = KernelTestData.weights(arena, rnd, type, rows * cols, 3);
        for (int batch : BATCHES) {
          float[] x = KernelTestData.floats(rnd, batch * cols);
          float[] got = new float[batch * rows];
          float[] want = new float[batch * rows];
          // rows [1, rows - 1) in one call: a range that starts and ends off the matvec's groups of four
          panama.matvecs(type, w, rows, cols, x, batch, got, 1, rows - 1);
          SCALAR.matvecs(type, w, rows, cols, x, batch, want, 1, rows - 1);
          for (int b = 0; b < batch; b++) {
            float[] alone = new float[rows];
            float[] one = new float[cols];
            System.arraycopy(x, b * cols, one, 0, cols);
            panama.matvec(type, w, cols, one, alone, 0, rows);
            for (int r = 0; r < rows; r++) {
              String what = panama.name() + " " + type + " cols " + cols + " batch " + batch + " token " + b + " row " + r;
              if (r == 0 || r == rows - 1) {
                assertEquals(0f, got[b * rows + r], what + " is outside the range and must stay untouched");
                continue;
              }
              assertEquals(Float.floatToRawIntBits(alone[r]), Float.floatToRawIntBits(got[b * rows + r]),
                  what + ": " + got[b * rows + r] + " batched, " + alone[r] + " alone");
              assertClose(want[b * rows + r], got[b * rows + r], KernelTestData.magnitude(type, w, r, cols, x, b * cols), what);
            }
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndTypes")
  void scalarBatchesAreScalarMatvecs(int bits, DType type) {
    Random rnd = new Random(bits + 7L * type.ordinal());
    try (Arena arena = Arena.ofConfined()) {
      int rows = 9;
      int cols = 207;
      MemorySegment w = KernelTestData.weights(arena, rnd, type, rows * cols, 1);
      int batch = 5;
      float[] x = KernelTestData.floats(rnd, batch * cols);
      float[] got = new float[batch * rows];
      SCALAR.matvecs(type, w, rows, cols, x, batch, got, 0, rows);
      for (int b = 0; b < batch; b++) {
        float[] one = new float[cols];
        System.arraycopy(x, b * cols, one, 0, cols);
        float[] alone = new float[rows];
        SCALAR.matvec(type, w, cols, one, alone, 0, rows);
        for (int r = 0; r < rows; r++) {
          assertEquals(alone[r], got[b * rows + r], "scalar " + type + " token " + b + " row " + r);
        }
      }
    }
  }
}
