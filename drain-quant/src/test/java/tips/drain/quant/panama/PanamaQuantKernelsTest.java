package tips.drain.quant.panama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tips.drain.quant.ErrorBudgets;
import tips.drain.quant.Q8Activations;
import tips.drain.quant.Q8KActivations;
import tips.drain.quant.QuantizedInput;
import tips.drain.quant.QuantFormat;
import tips.drain.quant.QuantKernels;
import tips.drain.quant.QuantTestData;
import tips.drain.quant.ScalarQuantKernels;

/**
 * The Vector API kernels against the scalar reference at every vector width: activation quantization
 * identical, products bit-identical where every scale is a power of two (the integer part is exact), close
 * otherwise, and within ggml's error budgets against the float product.
 */
class PanamaQuantKernelsTest {
  private static final QuantKernels SCALAR = new ScalarQuantKernels();

  static Stream<Arguments> widthsAndFormats() {
    List<Arguments> args = new ArrayList<>();
    for (int bits : PanamaQuantKernelsLoader.widths()) {
      for (QuantFormat format : QuantFormat.values()) {
        args.add(Arguments.of(bits, format));
      }
    }
    return args.stream();
  }

  static Stream<Integer> widths() {
    return PanamaQuantKernelsLoader.widths().stream();
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void activationsQuantizeExactlyAsTheReference(int bits) {
    QuantKernels panama = PanamaQuantKernelsLoader.load(bits);
    Random rnd = new Random(bits);
    int cols = 32 * 37;
    int batch = 3;
    float[] x = new float[batch * cols + 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextGaussian() * Math.exp(2 * rnd.nextGaussian()));
    }
    // values that land on or next to a rounding tie: with amax 127 the scale is 1 and x·id = x
    float[] ties = {127f, 0.5f, -0.5f, 1.5f, -2.5f, 0.49999997f, -0.49999997f, 126.5f, -126.5f, 3.4999998f, 0f, -0f};
    System.arraycopy(ties, 0, x, 3, ties.length);
    for (int j = 35; j < 67; j++) {
      x[j] = 0f; // a whole block of zeros
    }
    Q8Activations want = new Q8Activations(batch, cols);
    Q8Activations got = new Q8Activations(batch, cols);
    for (int b = 0; b < batch; b++) {
      want.quantize(b, x, 3 + b * cols);
      panama.quantize(x, 3 + b * cols, got, b);
    }
    assertArrayEquals(want.values(), got.values(), panama.name());
    assertArrayEquals(want.scales(), got.scales(), panama.name());
    assertArrayEquals(want.sums(), got.sums(), panama.name());
    assertArrayEquals(want.sumScales(), got.sumScales(), panama.name());
    int kCols = 256 * 4;
    x[3 + 256 + 10] = -1e4f; // the largest magnitude twice, with both signs: the first one sets the sign of the scale
    x[3 + 256 + 20] = 1e4f;
    Q8KActivations wantK = new Q8KActivations(1, kCols);
    Q8KActivations gotK = new Q8KActivations(1, kCols);
    wantK.quantize(0, x, 3);
    panama.quantize(x, 3, gotK, 0);
    assertArrayEquals(wantK.values(), gotK.values(), panama.name() + " Q8_K");
    assertArrayEquals(wantK.scales(), gotK.scales(), panama.name() + " Q8_K");
    assertArrayEquals(wantK.bsums(), gotK.bsums(), panama.name() + " Q8_K");
  }

  static Stream<Arguments> widthsAndQ8_0AndQ4_0() {
    return widthsAndFormats().filter(a -> a.get()[1] == QuantFormat.Q8_0 || a.get()[1] == QuantFormat.Q4_0 || a.get()[1] == QuantFormat.MXFP4);
  }

  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndQ8_0AndQ4_0")
  void integerPartIsExact(int bits, QuantFormat format) {
    // every scale a power of two: all products and partial sums are exact in float, in any order
    QuantKernels panama = PanamaQuantKernelsLoader.load(bits);
    Random rnd = new Random(bits * 7L + format.ordinal());
    for (int cols : new int[] {32, 96, 2048}) {
      int rows = 5;
      int batch = 6;
      float[] w = powerOfTwoBlocks(rnd, format, rows * cols, 1f / 32);
      float[] x = powerOfTwoBlocks(rnd, QuantFormat.Q8_0, batch * cols, 1f / 8);
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment seg = QuantTestData.quantize(arena, format, w, rows, cols);
        Q8Activations acts = QuantTestData.activations(x, batch, cols);
        float[] want = new float[batch * rows];
        float[] got = new float[batch * rows];
        SCALAR.matmul(format, seg, rows, cols, acts, want, 0, rows);
        panama.matmul(format, seg, rows, cols, acts, got, 0, rows);
        assertArrayEquals(want, got, panama.name() + " " + format + " matmul cols " + cols);
        float[] wantVec = new float[rows];
        float[] gotVec = new float[rows];
        SCALAR.matvec(format, seg, cols, acts, wantVec, 0, rows);
        panama.matvec(format, seg, cols, acts, gotVec, 0, rows);
        assertArrayEquals(wantVec, gotVec, panama.name() + " " + format + " matvec cols " + cols);
        for (int r = 0; r < rows; r++) {
          assertEquals(QuantTestData.dot(w, r * cols, x, 0, cols), gotVec[r], 0.0, "data made exact in float");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndFormats")
  void matvecAndMatmulMatchScalar(int bits, QuantFormat format) {
    QuantKernels panama = PanamaQuantKernelsLoader.load(bits);
    Random rnd = new Random(bits * 13L + format.ordinal());
    int[][] shapes = {{1, 1, 1}, {7, 2, 3}, {9, 3, 4}, {13, 5, 5}, {5, 64, 9}, {3, 176, 8}}; // rows, blocks of 32 (of 256 for the K-quants: 22 for 5632), batch
    try (Arena arena = Arena.ofConfined()) {
      for (int[] shape : shapes) {
        int rows = shape[0];
        int cols = format.blockSize() == 32 || shape[1] <= 5 ? format.blockSize() * shape[1] : 32 * shape[1];
        int batch = shape[2];
        float[] w = QuantTestData.uniform(rnd, rows * cols);
        // the matrix at an odd address, as a slice of a mapped file can be
        MemorySegment seg = arena.allocate(format.byteSize(rows, cols) + 1).asSlice(1);
        seg.copyFrom(QuantTestData.quantize(arena, format, w, rows, cols));
        float[] x = QuantTestData.uniform(rnd, batch * cols);
        QuantizedInput acts = QuantTestData.input(format, x, batch, cols);
        int rowFrom = rows > 2 ? 2 : 0;
        float[] want = new float[batch * rows];
        float[] got = new float[batch * rows];
        QuantTestData.matmul(SCALAR, format, seg, rows, cols, acts, want, rowFrom, rows);
        QuantTestData.matmul(panama, format, seg, rows, cols, acts, got, rowFrom, rows);
        assertClose(want, got, rows, cols, rowFrom, panama.name() + " " + format + " matmul " + rows + "x" + cols + " batch " + batch);
        float[] wantVec = new float[rows];
        float[] gotVec = new float[rows];
        QuantTestData.matvec(SCALAR, format, seg, cols, acts, wantVec, rowFrom, rows);
        QuantTestData.matvec(panama, format, seg, cols, acts, gotVec, rowFrom, rows);
        assertClose(wantVec, gotVec, rows, cols, rowFrom, panama.name() + " " + format + " matvec " + rows + "x" + cols);
        float[] preparedVec = new float[rows];
        if (acts instanceof Q8Activations q8) {
          panama.prepare(format, q8);
        }
        QuantTestData.matvec(panama, format, seg, cols, acts, preparedVec, rowFrom, rows);
        assertArrayEquals(gotVec, preparedVec, panama.name() + " " + format + " matvec after prepare " + rows + "x" + cols);
      }
    }
  }

  /**
   * A row's product is the same float whichever range of rows it is computed in (threads split a matvec at
   * any row), and whichever rows share its pass: Q4_0 at 512 bits takes four rows at a time from the four
   * quarters of the range and the last few through the same kernel.
   */
  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndFormats")
  void matvecRowsDoNotDependOnTheRange(int bits, QuantFormat format) {
    QuantKernels panama = PanamaQuantKernelsLoader.load(bits);
    Random rnd = new Random(bits * 31L + format.ordinal());
    int rows = 45;
    for (int cols : new int[] {512, 544, 768, 2048}) {
      if (!format.supports(cols)) {
        continue;
      }
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment seg = QuantTestData.quantize(arena, format, QuantTestData.uniform(rnd, rows * cols), rows, cols);
        QuantizedInput acts = QuantTestData.input(format, QuantTestData.uniform(rnd, cols), 1, cols);
        if (acts instanceof Q8Activations q8) {
          panama.prepare(format, q8);
        }
        float[] whole = new float[rows];
        QuantTestData.matvec(panama, format, seg, cols, acts, whole, 0, rows);
        for (int[] cuts : new int[][] {{0, 1, rows}, {0, 7, 22, 23, rows}, {0, 16, 32, rows}, {0, 3, 6, 9, 13, 20, 29, 38, rows}}) {
          float[] pieces = new float[rows];
          for (int i = 0; i + 1 < cuts.length; i++) {
            QuantTestData.matvec(panama, format, seg, cols, acts, pieces, cuts[i], cuts[i + 1]);
          }
          assertArrayEquals(whole, pieces, panama.name() + " " + format + " cols " + cols + " cut at " + Arrays.toString(cuts));
        }
      }
    }
  }

  /**
   * The batch-invariant product ({@link QuantKernels#matvecs}): every token bit for bit what {@code matvec} gives
   * for it alone, whatever the batch (1 to 17 tokens: groups of four and leftovers), the token's place in it and
   * the row range; the scalar twin likewise against its own matvec. Odd block counts (a last block without a pair).
   */
  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndFormats")
  void batchedTokensAreSummedAsAlone(int bits, QuantFormat format) {
    QuantKernels panama = PanamaQuantKernelsLoader.load(bits);
    Random rnd = new Random(bits * 59L + format.ordinal());
    int rows = 23;
    for (int cols : format.blockSize() == 32 ? new int[] {32, 96, 544, 2048} : new int[] {256, 768, 2048}) {
      for (int batch : new int[] {1, 2, 3, 4, 7, 17}) {
        try (Arena arena = Arena.ofConfined()) {
          MemorySegment seg = QuantTestData.quantize(arena, format, QuantTestData.uniform(rnd, rows * cols), rows, cols);
          QuantizedInput[] tokens = new QuantizedInput[batch];
          for (int b = 0; b < batch; b++) {
            tokens[b] = QuantTestData.input(format, QuantTestData.uniform(rnd, cols), 1, cols);
            if (tokens[b] instanceof Q8Activations q8) {
              panama.prepare(format, q8);
            }
          }
          for (QuantKernels kernels : List.of(panama, SCALAR)) {
            float[] got = new float[batch * rows];
            QuantTestData.matvecs(kernels, format, seg, rows, cols, tokens, got, 2, rows - 1);
            for (int b = 0; b < batch; b++) {
              float[] alone = new float[rows];
              QuantTestData.matvec(kernels, format, seg, cols, tokens[b], alone, 0, rows);
              for (int r = 0; r < rows; r++) {
                float want = r < 2 || r == rows - 1 ? 0f : alone[r];
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[b * rows + r]), kernels.name() + " "
                    + format + " cols " + cols + " batch " + batch + " token " + b + " row " + r + ": " + got[b * rows + r]
                    + " batched, " + want + " alone");
              }
            }
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndFormats")
  void dequantizesExactlyAsTheFormatRow(int bits, QuantFormat format) {
    QuantKernels panama = PanamaQuantKernelsLoader.load(bits);
    int rows = 7;
    int cols = format.blockSize() * 3;
    float[] w = new float[rows * cols];
    Random rnd = new Random(bits);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian()));
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(format.byteSize(rows, cols) + 1).asSlice(1);
      seg.copyFrom(QuantTestData.quantize(arena, format, w, rows, cols));
      MemorySegment want = arena.allocate(5L * cols * Float.BYTES);
      MemorySegment got = arena.allocate(5L * cols * Float.BYTES);
      SCALAR.dequantize(format, seg, cols, 2, 7, want);
      panama.dequantize(format, seg, cols, 2, 7, got);
      float[] expected = want.toArray(ValueLayout.JAVA_FLOAT);
      assertArrayEquals(expected, got.toArray(ValueLayout.JAVA_FLOAT), panama.name() + " " + format);
      float[] rows2to7 = new float[5 * cols];
      for (int r = 2; r < 7; r++) {
        format.dequantizeRow(seg, r * format.rowBytes(cols), rows2to7, (r - 2) * cols, cols);
      }
      assertArrayEquals(rows2to7, expected, "the reference writes the rows of the format table");
    }
  }

  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndFormats")
  void productsAreTheStoredIntegersProducts(int bits, QuantFormat format) {
    ErrorBudgets.assertExactProducts(PanamaQuantKernelsLoader.load(bits), format, 200 + format.ordinal());
  }

  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndFormats")
  void ggmlDotProductTest(int bits, QuantFormat format) {
    ErrorBudgets.assertGgmlDotError(PanamaQuantKernelsLoader.load(bits), format);
  }

  @ParameterizedTest(name = "{0} bits {1}")
  @MethodSource("widthsAndFormats")
  void randomMatricesWithinBudget(int bits, QuantFormat format) {
    ErrorBudgets.assertRandomMatmulError(PanamaQuantKernelsLoader.load(bits), format, 100 + format.ordinal());
  }

  /**
   * Equal up to float rounding of the per-block sums: {@code |got - want| <= 1e-5 · Σ|products|}, with
   * {@code Σ|products|} bounded by {@code cols · 0.25} for the inputs in [-0.5, 0.5); rows before
   * {@code rowFrom} untouched.
   */
  private static void assertClose(float[] want, float[] got, int rows, int cols, int rowFrom, String what) {
    for (int i = 0; i < want.length; i++) {
      if (i % rows < rowFrom) {
        assertEquals(0f, got[i], what + ": output " + i + " is outside the row range and must stay untouched");
      } else {
        double tolerance = 1e-5 * cols * 0.25;
        assertTrue(Math.abs(want[i] - got[i]) <= tolerance, what + ": output " + i + " " + got[i] + " vs " + want[i]);
      }
    }
  }

  /** Values whose blocks quantize with scale {@code unit} exactly, so {@code value = q · unit} is stored as is. */
  private static float[] powerOfTwoBlocks(Random rnd, QuantFormat format, int n, float unit) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      boolean first = i % 32 == 0;
      int q = switch (format) {
        case Q8_0 -> first ? 127 : rnd.nextInt(255) - 127; // d = amax / 127 = unit
        case Q4_0 -> first ? -8 : rnd.nextInt(16) - 8; // d = max / -8 = unit
        // a doubled E2M1 code; 12 first: amax = 12·unit, whose exponent gives d = unit for a power-of-two unit
        case MXFP4 -> first ? 12 : new int[] {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12}[rnd.nextInt(16)];
        default -> throw new IllegalArgumentException(format + " has no power-of-two blocks here");
      };
      v[i] = q * unit;
    }
    return v;
  }
}
