package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tips.drain.DrainException;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.DType;
import tips.drain.tensor.DenseMatrix;
import tips.drain.tensor.FloatInput;
import tips.drain.tensor.Floats;
import tips.drain.tensor.InputKind;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.MatrixFormat;
import tips.drain.tensor.MatrixGroup;
import tips.drain.util.Parallel;

/** Block matrices as core sees them: found through the MatrixFormat service, quantized, opened, multiplied. */
@Tag("kernels")
class BlockMatrixTest {

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void theServiceFindsEveryFormat(QuantFormat format) {
    MatrixFormat service = MatrixFormat.byName(format.name().toLowerCase()).orElseThrow();
    assertEquals(format.name(), service.name());
    int cols = QuantTestData.cols(format, 64);
    assertEquals(format.byteSize(7, cols), service.byteSize(7, cols));
    assertTrue(service.supports(2048));
    assertFalse(service.supports(172));
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void quantizesBf16RowsAsTheFormatRowDoes(QuantFormat format) {
    int rows = 11;
    int cols = QuantTestData.cols(format, 96);
    Random rnd = new Random(1);
    Matrix source = bf16(rnd, rows, cols);
    Matrix q;
    try (Parallel parallel = new Parallel(2)) {
      q = MatrixFormat.byName(format.name()).orElseThrow().quantize(source, parallel);
    }
    assertEquals(format.name(), q.format());
    assertEquals(rows, q.rows());
    assertEquals(cols, q.cols());
    assertEquals(format.byteSize(rows, cols), q.byteSize());
    float[] row = new float[cols];
    float[] want = new float[cols];
    float[] got = new float[cols + 3];
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment block = arena.allocate(format.rowBytes(cols));
      for (int r = 0; r < rows; r++) {
        source.readRow(r, row, 0);
        format.quantizeRow(row, 0, cols, block, 0);
        format.dequantizeRow(block, 0, want, 0, cols);
        q.readRow(r, got, 3);
        for (int i = 0; i < cols; i++) {
          assertEquals(want[i], got[3 + i], "row " + r + " value " + i);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void quantizingOnTwoThreadsGivesTheSameBytes(QuantFormat format) {
    Matrix source = bf16(new Random(2), 37, QuantTestData.cols(format, 64));
    BlockMatrix one;
    BlockMatrix two;
    try (Parallel p1 = new Parallel(1); Parallel p2 = new Parallel(2)) {
      one = BlockMatrix.quantize(format, source, p1, QuantKernelProvider.kernels());
      two = BlockMatrix.quantize(format, source, p2, QuantKernelProvider.kernels());
    }
    assertEquals(-1L, one.data().mismatch(two.data()));
  }

  /**
   * In a matrix group, block matrices of one format share one quantized input, other kinds get their own,
   * and every product equals the matrix's own matvec exactly (same quantized input, same kernel).
   */
  @Test
  void groupsShareTheQuantizedInput() {
    int cols = 256;
    Random rnd = new Random(11);
    try (Parallel parallel = new Parallel(2)) {
      Matrix q4a = MatrixFormat.byName("Q4_0").orElseThrow().quantize(f32(QuantTestData.uniform(rnd, 300 * cols), 300, cols), parallel);
      Matrix q8 = MatrixFormat.byName("Q8_0").orElseThrow().quantize(f32(QuantTestData.uniform(rnd, 40 * cols), 40, cols), parallel);
      Matrix q4b = MatrixFormat.byName("Q4_0").orElseThrow().quantize(f32(QuantTestData.uniform(rnd, 40 * cols), 40, cols), parallel);
      Matrix dense = f32(QuantTestData.uniform(rnd, 24 * cols), 24, cols);
      Matrix q4k = MatrixFormat.byName("Q4_K").orElseThrow().quantize(f32(QuantTestData.uniform(rnd, 33 * cols), 33, cols), parallel);
      Matrix q5 = MatrixFormat.byName("Q5_0").orElseThrow().quantize(f32(QuantTestData.uniform(rnd, 20 * cols), 20, cols), parallel);
      Matrix q6k = MatrixFormat.byName("Q6_K").orElseThrow().quantize(f32(QuantTestData.uniform(rnd, 17 * cols), 17, cols), parallel);
      Matrix[] ms = {q4a, q8, q4b, dense, q4k, q5, q6k};
      float[] x = QuantTestData.uniform(rnd, cols);
      float[][] want = new float[ms.length][];
      float[][] got = new float[ms.length][];
      for (int i = 0; i < ms.length; i++) {
        want[i] = new float[ms[i].rows()];
        got[i] = new float[ms[i].rows()];
        ms[i].matvec(x, want[i], 0, ms[i].rows());
      }
      new MatrixGroup(ms).matvec(x, got, parallel);
      for (int i = 0; i < ms.length; i++) {
        assertArrayEquals(want[i], got[i], ms[i].toString());
      }
      assertEquals(q4a.inputKind(), q4b.inputKind());
      assertEquals(q8.inputKind(), q5.inputKind(), "Q8_0 and Q5_0 both read Q8_0 activations");
      assertEquals(q4k.inputKind(), q6k.inputKind(), "the K-quants read Q8_K activations");
      assertEquals(new InputKind(ActivationFormat.Q8_K, cols), q4k.inputKind());
      // Q4_0 shares Q8_0's activations unless its 512-bit decode kernel wants them in its own order
      boolean q4Order = QuantKernelProvider.kernels().inputFormat(QuantFormat.Q4_0, cols) == ActivationFormat.Q8_0_Q4_0_ORDER;
      assertEquals(!q4Order, q4a.inputKind().equals(q8.inputKind()));
      assertEquals(q4Order, q4a.prepareInput(x).kind().encoding() == ActivationFormat.Q8_0_Q4_0_ORDER);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q8.matvecPrepared(new FloatInput(x, cols), got[1], 0, 40));
      assertTrue(e.getMessage().contains("prepared for another kind"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> q4k.matvecPrepared(q8.prepareInput(x), got[4], 0, 33));
      assertTrue(e.getMessage().contains("prepared for another kind"), e.getMessage());
    }
  }

  /** A batch-invariant product of several vectors, through a group: every vector's outputs those of its own matvec. */
  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void batchedVectorsEqualTheirOwnProducts(QuantFormat format) {
    int cols = QuantTestData.cols(format, 512);
    int batch = 5;
    Random rnd = new Random(13);
    try (Parallel parallel = new Parallel(2)) {
      Matrix a = MatrixFormat.byName(format.name()).orElseThrow().quantize(f32(QuantTestData.uniform(rnd, 301 * cols), 301, cols), parallel);
      Matrix b = MatrixFormat.byName(format.name()).orElseThrow().quantize(f32(QuantTestData.uniform(rnd, 37 * cols), 37, cols), parallel);
      float[] x = QuantTestData.uniform(rnd, batch * cols);
      float[][] outs = {new float[batch * 301], new float[batch * 37]};
      new MatrixGroup(a, b).matvecs(x, batch, outs, parallel);
      Matrix[] ms = {a, b};
      for (int i = 0; i < 2; i++) {
        for (int v = 0; v < batch; v++) {
          float[] alone = new float[ms[i].rows()];
          ms[i].matvec(Arrays.copyOfRange(x, v * cols, (v + 1) * cols), alone, 0, ms[i].rows());
          for (int r = 0; r < ms[i].rows(); r++) {
            assertEquals(Float.floatToRawIntBits(alone[r]), Float.floatToRawIntBits(outs[i][v * ms[i].rows() + r]),
                format + " matrix " + i + " vector " + v + " row " + r);
          }
        }
      }
      assertThrows(IllegalArgumentException.class, () -> a.matvecsPrepared(a.prepareInput(x), batch, outs[0], 0, 301));
    }
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void productsOnThreadsEqualTheKernelAndStayWithinBudget(QuantFormat format) {
    int rows = 67;
    int cols = 2048;
    Random rnd = new Random(3);
    float[] w = QuantTestData.uniform(rnd, rows * cols);
    Matrix source = f32(w, rows, cols);
    try (Parallel parallel = new Parallel(2)) {
      Matrix q = MatrixFormat.byName(format.name()).orElseThrow().quantize(source, parallel);
      for (int batch : new int[] {1, 2, 7, TiledMatmul.TOKEN_BLOCK + 6}) {
        float[] x = QuantTestData.uniform(rnd, batch * cols);
        float[] threaded = new float[batch * rows];
        float[] ranges = new float[batch * rows];
        q.matmul(x, batch, threaded, parallel);
        // the same product as two row ranges on this thread (a matvec when batch is 1)
        if (batch == 1) {
          q.matvec(x, ranges, 0, 30);
          q.matvec(x, ranges, 30, rows);
        } else {
          q.matmul(x, batch, ranges, 0, 30);
          q.matmul(x, batch, ranges, 30, rows);
        }
        // equal up to float rounding: row tiles fall differently in the two splits (GEMM 4-row tiles vs leftovers)
        for (int i = 0; i < ranges.length; i++) {
          assertEquals(ranges[i], threaded[i], 1e-5f * (1 + Math.abs(ranges[i])), format + " batch " + batch + " output " + i);
        }
        double error = QuantTestData.meanNormalizedError(threaded, QuantTestData.reference(w, rows, cols, x, batch), rows, cols, batch, 0, rows);
        assertTrue(error <= QuantTestData.dotErrorBudget(format), format + " batch " + batch + ": error " + error);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void opensStoredBlocksWithoutCopying(QuantFormat format) {
    int rows = 5;
    int cols = QuantTestData.cols(format, 64);
    float[] w = QuantTestData.uniform(new Random(4), rows * cols);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment file = arena.allocate(format.byteSize(rows, cols) + 7);
      MemorySegment slice = file.asSlice(7); // a tensor at an odd offset of a mapped file
      slice.copyFrom(QuantTestData.quantize(arena, format, w, rows, cols));
      Matrix m = MatrixFormat.byName(format.name()).orElseThrow().open(slice, rows, cols);
      BlockMatrix block = assertInstanceOf(BlockMatrix.class, m);
      assertSame(slice, block.data());
      float[] out = new float[rows];
      m.matvec(w, out, 0, rows); // the weights' own rows as the input: row r · row 0 etc.
      double[] want = QuantTestData.reference(w, rows, cols, w, 1);
      assertTrue(QuantTestData.meanNormalizedError(out, want, rows, cols, 1, 0, rows) <= QuantTestData.dotErrorBudget(format));

      QuantizationException wrongSize = assertThrows(QuantizationException.class,
          () -> MatrixFormat.byName(format.name()).orElseThrow().open(file, rows, cols));
      assertTrue(wrongSize.getMessage().contains("expected " + format.byteSize(rows, cols)), wrongSize.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void refusesInputsThatAreNotWholeBlocks(QuantFormat format) {
    MatrixFormat service = MatrixFormat.byName(format.name()).orElseThrow();
    Matrix ffnDown = f32(new float[64 * 172], 64, 172); // stories260K's w2: 172 inputs
    assertFalse(service.supports(172));
    DrainException e;
    try (Parallel parallel = new Parallel(1)) {
      e = assertThrows(DrainException.class, () -> service.quantize(ffnDown, parallel));
    }
    assertInstanceOf(QuantizationException.class, e);
    assertTrue(e.getMessage().contains("64x172") && e.getMessage().contains(format.name())
        && e.getMessage().contains("not a multiple of the block size " + format.blockSize()), e.getMessage());
    assertThrows(QuantizationException.class, () -> service.open(MemorySegment.ofArray(new byte[0]), 1, 172));
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void rowRangesShareTheBlocks(QuantFormat format) {
    int rows = 12;
    int cols = QuantTestData.cols(format, 64);
    float[] w = QuantTestData.uniform(new Random(5), rows * cols);
    Matrix q;
    try (Parallel parallel = new Parallel(1)) {
      q = MatrixFormat.byName(format.name()).orElseThrow().quantize(f32(w, rows, cols), parallel);
    }
    // a fused q/k/v of 6 + 3 + 3 rows, split as Phi-3's qkv_proj is
    Matrix k = q.rowRange(6, 9);
    assertEquals(3, k.rows());
    assertEquals(cols, k.cols());
    assertEquals(format.byteSize(3, cols), k.byteSize());
    float[] x = QuantTestData.uniform(new Random(6), cols);
    float[] all = new float[rows];
    float[] part = new float[3];
    q.matvec(x, all, 0, rows);
    k.matvec(x, part, 0, 3);
    assertArrayEquals(new float[] {all[6], all[7], all[8]}, part);
    float[] row = new float[cols];
    float[] same = new float[cols];
    k.readRow(2, row, 0);
    q.readRow(8, same, 0);
    assertArrayEquals(same, row);
    assertThrows(IndexOutOfBoundsException.class, () -> q.rowRange(6, 13));
  }

  @Test
  void checksProductShapes() {
    Matrix q;
    try (Parallel parallel = new Parallel(1)) {
      q = MatrixFormat.byName("Q8_0").orElseThrow().quantize(f32(new float[4 * 64], 4, 64), parallel);
    }
    assertThrows(IllegalArgumentException.class, () -> q.matvec(new float[63], new float[4], 0, 4));
    assertThrows(IllegalArgumentException.class, () -> q.matmul(new float[128], 2, new float[7], 0, 4));
    assertThrows(IndexOutOfBoundsException.class, () -> q.matvec(new float[64], new float[4], 2, 5));
    assertThrows(IndexOutOfBoundsException.class, () -> q.readRow(4, new float[64], 0));
  }

  private static Matrix f32(float[] w, int rows, int cols) {
    MemorySegment seg = MemorySegment.ofArray(new float[w.length]);
    MemorySegment.copy(w, 0, seg, ValueLayout.JAVA_FLOAT, 0, w.length);
    return new DenseMatrix(seg, DType.F32, rows, cols, new ScalarKernels());
  }

  private static Matrix bf16(Random rnd, int rows, int cols) {
    short[] bits = new short[rows * cols];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = Floats.floatToBf16((float) rnd.nextGaussian());
    }
    return new DenseMatrix(MemorySegment.ofArray(bits), DType.BF16, rows, cols, new ScalarKernels());
  }
}
