package tips.drain.kernel.panama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tips.drain.kernel.panama.KernelTestData.SIZES;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tips.drain.kernel.Kernels;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.DType;

/**
 * F16 weights that are infinities, NaNs or subnormals: the panama widening turns exponent-31 values into
 * finite ones, so its rows holding them must fall back to the exact conversion and give the scalar
 * reference's infinity or NaN. Covers matvec (four-row passes and their edges) and the three matmul paths
 * (dot tiles, outer-product panel, single-row edges).
 */
class PanamaF16SpecialsTest {
  private static final Kernels SCALAR = new ScalarKernels();
  /** Kinds of rows of {@link #weightsWithSpecials}. */
  private static final int ROW_KINDS = 9;
  private static final short POSITIVE_INFINITY = 0x7C00;
  private static final short NEGATIVE_INFINITY = (short) 0xFC00;
  private static final short NAN = 0x7E00;
  private static final short NEGATIVE_NAN_WITH_PAYLOAD = (short) 0xFD55;

  static Stream<Integer> widths() {
    return PanamaKernelsLoader.widths().stream();
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void matvecOfInfinitiesAndNaNsMatchesScalar(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits * 7L);
    try (Arena arena = Arena.ofConfined()) {
      for (int cols : SIZES) {
        int rows = 2 + 2 * ROW_KINDS; // rows [2, rows): every kind at least twice, a count that is not a multiple of 4
        MemorySegment w = weightsWithSpecials(arena, rnd, rows, cols);
        float[] x = KernelTestData.floats(rnd, cols);
        x[cols / 3] = 0f; // an infinity times zero is NaN
        float[] want = new float[rows];
        float[] got = new float[rows];
        SCALAR.matvec(DType.F16, w, cols, x, want, 2, rows);
        panama.matvec(DType.F16, w, cols, x, got, 2, rows);
        for (int r = 2; r < rows; r++) {
          assertSame(want[r], got[r], w, r, cols, x, 0, panama.name() + " cols " + cols + " row " + r + " (kind " + r % ROW_KINDS + ")");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void matmulOfInfinitiesAndNaNsMatchesScalar(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits * 11L);
    // dot tiles with token and row edges, the outer-product panel (128+ rows, a vector of tokens), several chunks
    // and panel rows that are not whole vectors
    int[][] shapes = {{9, 207, 2}, {13, 702, 5}, {6, 2048, 8}, {15, 2051, 70}, {135, 702, 16}, {133, 4133, 37},
        {153, 702, 40}};
    try (Arena arena = Arena.ofConfined()) {
      for (int[] shape : shapes) {
        int rows = shape[0];
        int cols = shape[1];
        int batch = shape[2];
        MemorySegment w = weightsWithSpecials(arena, rnd, rows, cols);
        float[] x = KernelTestData.floats(rnd, batch * cols);
        x[cols / 3] = 0f;
        float[] want = new float[batch * rows];
        float[] got = new float[batch * rows];
        SCALAR.matmul(DType.F16, w, rows, cols, x, batch, want, 1, rows);
        panama.matmul(DType.F16, w, rows, cols, x, batch, got, 1, rows);
        for (int t = 0; t < batch; t++) {
          for (int r = 1; r < rows; r++) {
            assertSame(want[t * rows + r], got[t * rows + r], w, r, cols, x, t * cols,
                panama.name() + " " + rows + "x" + cols + " batch " + batch + " token " + t + " row " + r);
          }
        }
      }
    }
  }

  /**
   * Random F16 weights where row {@code r} is, by {@code r % 9}: ordinary; +Inf in the vector part; -Inf in the
   * last column (the scalar tail when there is one); a NaN; +Inf and -Inf (NaN); +Inf where the activation is
   * zero (NaN); all subnormals of both signs; a NaN with a payload and the sign bit; finite weights whose
   * exponent bits together make 31 (the panama kernels' sieve fires, the row has no infinity).
   */
  private static MemorySegment weightsWithSpecials(Arena arena, Random rnd, int rows, int cols) {
    MemorySegment w = KernelTestData.weights(arena, rnd, DType.F16, rows * cols, 1);
    for (int r = 0; r < rows; r++) {
      long row = (long) r * cols;
      switch (r % ROW_KINDS) {
        case 1 -> set(w, row + (r * 7) % cols, POSITIVE_INFINITY);
        case 2 -> set(w, row + cols - 1, NEGATIVE_INFINITY);
        case 3 -> set(w, row + (r * 5) % cols, NAN);
        case 4 -> {
          set(w, row, POSITIVE_INFINITY);
          set(w, row + cols / 2, NEGATIVE_INFINITY);
        }
        case 5 -> set(w, row + cols / 3, POSITIVE_INFINITY);
        case 6 -> {
          for (int k = 0; k < cols; k++) {
            int subnormal = 1 + rnd.nextInt(0x3FF);
            set(w, row + k, (short) (rnd.nextBoolean() ? subnormal : subnormal | 0x8000));
          }
        }
        case 7 -> set(w, row + cols - 1 - (r % cols), NEGATIVE_NAN_WITH_PAYLOAD);
        case 8 -> {
          set(w, row + (r * 3) % cols, Float.floatToFloat16(65504f)); // finite, but all exponent bits but one set
          set(w, row + (r * 11) % cols, Float.floatToFloat16(-2.5f));
          set(w, row + (r * 13) % cols, Float.floatToFloat16(0.75f));
        }
        default -> { }
      }
    }
    return w;
  }

  private static void set(MemorySegment w, long index, short bits) {
    w.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * index, bits);
  }

  /** NaN where the reference is NaN, the same infinity where it is infinite, else close (see {@link KernelTestData}). */
  private static void assertSame(float want, float got, MemorySegment w, int row, int cols, float[] x, int xOff, String what) {
    if (Float.isNaN(want)) {
      assertTrue(Float.isNaN(got), () -> what + ": expected NaN but got " + got);
    } else if (Float.isInfinite(want)) {
      assertEquals(want, got, what);
    } else {
      KernelTestData.assertClose(want, got, KernelTestData.magnitude(DType.F16, w, row, cols, x, xOff), what);
    }
  }
}
