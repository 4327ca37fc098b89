package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tips.drain.kernel.KernelProvider;

/**
 * Prefill through dequantized tiles and core's F32 GEMM: the same products as dequantizing the whole matrix
 * and multiplying in double, for row counts that are not a multiple of the tile, offsets, and batches
 * around the GEMM's 4-token tiles; and closer to the float reference than the integer kernels.
 */
@Tag("kernels")
class TiledMatmulTest {

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void equalsTheDequantizedProduct(QuantFormat format) {
    Random rnd = new Random(format.ordinal());
    int rows = 2 * TiledMatmul.TILE_ROWS + 5;
    for (int cols : new int[] {format.blockSize(), 5 * format.blockSize(), 2048}) {
      // batches of one token block and of several, the last one partial
      int[] batches = cols == 2048 ? new int[] {1, 3, 4, 5, 9, 16} : new int[] {1, 3, 4, 5, 9, 16, TiledMatmul.TOKEN_BLOCK,
          TiledMatmul.TOKEN_BLOCK + 1, 2 * TiledMatmul.TOKEN_BLOCK + 3};
      float[] w = QuantTestData.uniform(rnd, rows * cols);
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment seg = QuantTestData.quantize(arena, format, w, rows, cols);
        MemorySegment deqSegment = arena.allocate((long) rows * cols * Float.BYTES);
        new ScalarQuantKernels().dequantize(format, seg, cols, 0, rows, deqSegment);
        float[] deq = deqSegment.toArray(ValueLayout.JAVA_FLOAT);
        for (int batch : batches) {
          float[] x = QuantTestData.uniform(rnd, batch * cols);
          float[] got = new float[batch * rows];
          TiledMatmul.matmul(format, seg, rows, cols, x, batch, got, 3, rows, QuantKernelProvider.kernels(), KernelProvider.kernels());
          double[] want = QuantTestData.reference(deq, rows, cols, x, batch);
          for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
              int i = b * rows + r;
              if (r < 3) {
                assertEquals(0f, got[i], "row " + r + " is outside [3, " + rows + ")");
              } else {
                assertEquals(want[i], got[i], 1e-5 * cols, format + " cols " + cols + " batch " + batch + " output " + i);
              }
            }
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void moreAccurateThanTheIntegerKernels(QuantFormat format) {
    Random rnd = new Random(10 + format.ordinal());
    int rows = 37;
    int cols = 2048;
    int batch = 8;
    float[] w = QuantTestData.uniform(rnd, rows * cols);
    float[] x = QuantTestData.uniform(rnd, batch * cols);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = QuantTestData.quantize(arena, format, w, rows, cols);
      float[] tiled = new float[batch * rows];
      float[] integer = new float[batch * rows];
      TiledMatmul.matmul(format, seg, rows, cols, x, batch, tiled, 0, rows, QuantKernelProvider.kernels(), KernelProvider.kernels());
      QuantTestData.matmul(QuantKernelProvider.kernels(), format, seg, rows, cols, QuantTestData.input(format, x, batch, cols), integer, 0, rows);
      double[] want = QuantTestData.reference(w, rows, cols, x, batch);
      assertTrue(QuantTestData.meanNormalizedError(tiled, want, rows, cols, batch, 0, rows) <= QuantTestData.dotErrorBudget(format), format + " tiled error");
      // against the stored weights' own product, the tiled path has only float rounding, the integer kernels also the activations' rounding
      MemorySegment deqSegment = arena.allocate((long) rows * cols * Float.BYTES);
      new ScalarQuantKernels().dequantize(format, seg, cols, 0, rows, deqSegment);
      double[] stored = QuantTestData.reference(deqSegment.toArray(ValueLayout.JAVA_FLOAT), rows, cols, x, batch);
      double tiledError = QuantTestData.meanNormalizedError(tiled, stored, rows, cols, batch, 0, rows);
      double integerError = QuantTestData.meanNormalizedError(integer, stored, rows, cols, batch, 0, rows);
      assertTrue(10 * tiledError < integerError, format + ": tiled " + tiledError + ", integer " + integerError);
    }
  }
}
