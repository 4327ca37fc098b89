package tips.drain.kernel.panama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static tips.drain.kernel.panama.KernelTestData.SIZES;
import static tips.drain.kernel.panama.KernelTestData.assertClose;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tips.drain.kernel.Kernels;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.DType;

/** Panama matvec and matmul against the scalar reference: every width, dtype, odd sizes, non-zero offsets. */
class PanamaMatVecTest {
  private static final Kernels SCALAR = new ScalarKernels();
  private static final DType[] TYPES = {DType.F32, DType.BF16, DType.F16};

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
  void matvecMatchesScalar(int bits, DType type) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits * 31L + type.ordinal());
    try (Arena arena = Arena.ofConfined()) {
      for (int cols : SIZES) {
        int rows = cols % 2 == 0 ? 7 : 19;
        MemorySegment w = KernelTestData.weights(arena, rnd, type, rows * cols, 3);
        float[] x = KernelTestData.floats(rnd, cols);
        float[] want = new float[rows];
        float[] got = new float[rows];
        // rows [2, rows): a non-zero first row, a count that is not a multiple of 4
        SCALAR.matvec(type, w, cols, x, want, 2, rows);
        panama.matvec(type, w, cols, x, got, 2, rows);
        for (int r = 0; r < rows; r++) {
          if (r < 2) {
            assertEquals(0f, got[r], "row " + r + " is outside [2, " + rows + ") and must stay untouched");
          } else {
            assertClose(want[r], got[r], KernelTestData.magnitude(type, w, r, cols, x, 0),
                panama.name() + " " + type + " cols " + cols + " row " + r);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndTypes")
  void matmulMatchesScalar(int bits, DType type) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits * 17L + type.ordinal());
    // calls of at least PanamaGemmPanel.MIN_ROWS rows and a vector of tokens take the outer-product panel: full
    // and partial token blocks, row counts that leave rows for the dot tiles, odd columns, several column
    // chunks, panel rows that are not whole vectors (153: 152 rows from rowFrom 1); fewer rows (as drain-quant's
    // 16-row tiles pass) stay on the dot tiles
    int[][] shapes = {{1, 13, 1}, {9, 207, 2}, {13, 702, 5}, {6, 2048, 8}, {5, 4133, 7},
        {13, 702, 16}, {8, 33, 17}, {15, 2051, 70}, {20, 4133, 33},
        {133, 702, 16}, {130, 33, 17}, {135, 2051, 37}, {153, 702, 40}};
    try (Arena arena = Arena.ofConfined()) {
      for (int[] shape : shapes) {
        int rows = shape[0];
        int cols = shape[1];
        int batch = shape[2];
        MemorySegment w = KernelTestData.weights(arena, rnd, type, rows * cols, 1);
        float[] x = KernelTestData.floats(rnd, batch * cols);
        float[] want = new float[batch * rows];
        float[] got = new float[batch * rows];
        int rowFrom = rows > 4 ? 1 : 0;
        SCALAR.matmul(type, w, rows, cols, x, batch, want, rowFrom, rows);
        panama.matmul(type, w, rows, cols, x, batch, got, rowFrom, rows);
        for (int t = 0; t < batch; t++) {
          for (int r = rowFrom; r < rows; r++) {
            assertClose(want[t * rows + r], got[t * rows + r], KernelTestData.magnitude(type, w, r, cols, x, t * cols),
                panama.name() + " " + type + " " + rows + "x" + cols + " batch " + batch + " token " + t + " row " + r);
          }
        }
      }
    }
  }

  /** F16 matvec pre-scales the activations by a power of two: activations of 2^16 and more must not overflow. */
  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void f16MatvecWithHugeActivations(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits);
    try (Arena arena = Arena.ofConfined()) {
      for (float big : new float[] {1e3f, 65504f, 7e4f, 3e9f, 1e30f}) {
        int rows = 3;
        int cols = 207;
        MemorySegment w = KernelTestData.weights(arena, rnd, DType.F16, rows * cols, 0);
        float[] x = KernelTestData.floats(rnd, cols);
        x[17] = big;
        x[100] = -big / 3;
        float[] want = new float[rows];
        float[] got = new float[rows];
        SCALAR.matvec(DType.F16, w, cols, x, want, 0, rows);
        panama.matvec(DType.F16, w, cols, x, got, 0, rows);
        for (int r = 0; r < rows; r++) {
          assertClose(want[r], got[r], KernelTestData.magnitude(DType.F16, w, r, cols, x, 0),
              panama.name() + " F16 with |x| up to " + big + " row " + r);
        }
      }
    }
  }

  static Stream<Integer> widths() {
    return PanamaKernelsLoader.widths().stream();
  }

  @Test
  void widthsIncludeANarrowerSpecies() {
    List<Integer> widths = PanamaKernelsLoader.widths();
    assertEquals(128, widths.get(widths.size() - 1));
    assertEquals("panama-128", PanamaKernelsLoader.load(128).name());
  }
}
