package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Quantized products against the float product, within ggml's budgets: the test of ggml's
 * test-quantize-fns (one dot of 4096 values of its data, {@code |result - reference| / n}), and random
 * matrices of every size in {@link #SIZES}, as the mean of that normalized error over the outputs.
 */
public final class ErrorBudgets {
  /** Input sizes: single blocks, odd block counts, and TinyLlama's 2048 and 5632 (those of whole blocks for each format). */
  public static final int[] SIZES = {32, 64, 96, 160, 256, 768, 2048, 5632};

  private ErrorBudgets() {}

  /**
   * ggml's dot product test: {@code 0.1 + 2 cos(i)} against {@code 0.1 + 2 cos(i + 1)}, 4096 values; and
   * candle's second case, the ramp {@code i / n} against itself, with twice the budget.
   */
  public static void assertGgmlDotError(QuantKernels kernels, QuantFormat format) {
    int n = 32 * 128;
    float[][][] cases = {
        {QuantTestData.ggmlData(0f, n, 2f), QuantTestData.ggmlData(1f, n, 2f)},
        {ramp(n), ramp(n)}};
    double[] budgets = {QuantTestData.dotErrorBudget(format), 2 * QuantTestData.dotErrorBudget(format)};
    try (Arena arena = Arena.ofConfined()) {
      for (int c = 0; c < cases.length; c++) {
        float[] w = cases[c][0];
        float[] x = cases[c][1];
        MemorySegment row = QuantTestData.quantize(arena, format, w, 1, n);
        float[] out = new float[1];
        QuantTestData.matvec(kernels, format, row, n, QuantTestData.input(format, x, 1, n), out, 0, 1);
        double error = Math.abs(out[0] - (float) QuantTestData.dot(w, 0, x, 0, n)) / n;
        System.out.printf("%s %s dot error, case %d: %.7f (budget %.6f)%n", kernels.name(), format, c, error, budgets[c]);
        assertTrue(error <= budgets[c], kernels.name() + " " + format + " case " + c + ": dot error " + error + " > " + budgets[c]);
      }
    }
  }

  /**
   * Random matrices (uniform in [-0.5, 0.5), as candle's tests) of every size in {@link #SIZES}, rows
   * {@code [2, rows)} of an odd row count, one vector and five: the mean normalized error is within budget.
   */
  public static void assertRandomMatmulError(QuantKernels kernels, QuantFormat format, long seed) {
    Random rnd = new Random(seed);
    double worst = 0;
    String worstAt = "";
    try (Arena arena = Arena.ofConfined()) {
      for (int cols : SIZES) {
        if (!format.supports(cols)) {
          continue;
        }
        int rows = cols <= 256 ? 67 : 9;
        float[] w = QuantTestData.uniform(rnd, rows * cols);
        MemorySegment seg = QuantTestData.quantize(arena, format, w, rows, cols);
        for (int batch : new int[] {1, 5}) {
          float[] x = QuantTestData.uniform(rnd, batch * cols);
          QuantizedInput acts = QuantTestData.input(format, x, batch, cols);
          float[] out = new float[batch * rows];
          if (batch == 1) {
            QuantTestData.matvec(kernels, format, seg, cols, acts, out, 2, rows);
          } else {
            QuantTestData.matmul(kernels, format, seg, rows, cols, acts, out, 2, rows);
          }
          double error = QuantTestData.meanNormalizedError(out, QuantTestData.reference(w, rows, cols, x, batch), rows, cols, batch, 2, rows);
          double budget = QuantTestData.dotErrorBudget(format);
          if (error > worst) {
            worst = error;
            worstAt = rows + "x" + cols + " batch " + batch;
          }
          assertTrue(error <= budget, kernels.name() + " " + format + " " + rows + "x" + cols + " batch " + batch
              + ": mean normalized error " + error + " > " + budget);
        }
      }
    }
    System.out.printf("%s %s random matrices: worst mean normalized error %.7f (%s; budget %.6f)%n",
        kernels.name(), format, worst, worstAt, QuantTestData.dotErrorBudget(format));
  }

  private static float[] ramp(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) i / n;
    }
    return x;
  }

  /**
   * Every product equals the exact product of the stored integers (in double) up to float rounding: for the
   * 32-weight formats {@code Σ_blocks d_w·d_x·Σ q_w·q_x + m_w·s_x} (ggml's formula, with Q8_1's rounded
   * {@code s}); for the K-quants {@code Σ deq(w)·q_x·d_x} with ggml's dequantized weights. The tolerance,
   * {@code 1e-6 · Σ|terms|}, is some ten float roundings of the terms, each at most 2⁻²⁴ relative: far below
   * any unpacking, scale or minimum error (which moves a product by whole quantization steps).
   */
  public static void assertExactProducts(QuantKernels kernels, QuantFormat format, long seed) {
    Random rnd = new Random(seed);
    int rows = 13;
    int batch = 3;
    try (Arena arena = Arena.ofConfined()) {
      for (int cols : new int[] {format.blockSize(), 3 * format.blockSize(), 2048}) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian()) + (i % 7 == 0 ? 0.3 : 0)); // blocks off centre, of mixed scales
        }
        MemorySegment seg = QuantTestData.quantize(arena, format, w, rows, cols);
        float[] x = QuantTestData.uniform(rnd, batch * cols);
        QuantizedInput input = QuantTestData.input(format, x, batch, cols);
        float[] vec = new float[rows];
        float[] mat = new float[batch * rows];
        QuantTestData.matvec(kernels, format, seg, cols, input, vec, 1, rows);
        QuantTestData.matmul(kernels, format, seg, rows, cols, input, mat, 1, rows);
        for (int b = 0; b < batch; b++) {
          for (int r = 1; r < rows; r++) {
            double[] exact = exactProduct(format, seg, r, cols, input, b);
            double tolerance = 1e-6 * exact[1];
            String what = kernels.name() + " " + format + " cols " + cols + " row " + r + " vector " + b;
            assertEquals(exact[0], mat[b * rows + r], tolerance, what + " (matmul)");
            if (b == 0) {
              assertEquals(exact[0], vec[r], tolerance, what + " (matvec)");
            }
          }
        }
      }
    }
  }

  /** Row {@code r} times vector {@code b} from the stored integers, in double, and the sum of the terms' magnitudes. */
  private static double[] exactProduct(QuantFormat format, MemorySegment w, int r, int cols, QuantizedInput input, int b) {
    long row = r * format.rowBytes(cols);
    double sum = 0;
    double magnitude = 0;
    switch (input) {
      case Q8Activations x -> {
        byte[] q = new byte[32];
        for (int k = 0; k < cols / 32; k++) {
          long o = row + (long) k * format.blockBytes();
          double d = format.unpackBlock(w, o, q);
          int block = b * (cols / 32) + k;
          for (int j = 0; j < 32; j++) {
            double term = d * x.scales()[block] * q[j] * x.values()[b * cols + 32 * k + j];
            sum += term;
            magnitude += Math.abs(term);
          }
          double min = (double) format.minOf(w, o) * x.sumScales()[block];
          sum += min;
          magnitude += Math.abs(min);
        }
      }
      case Q8KActivations x -> {
        float[] deq = new float[cols];
        format.dequantizeRow(w, row, deq, 0, cols);
        for (int i = 0; i < cols; i++) {
          double term = (double) deq[i] * x.values()[b * cols + i] * x.scales()[(b * cols + i) / 256];
          sum += term;
          magnitude += Math.abs(term);
        }
      }
    }
    return new double[] {sum, magnitude};
  }
}
