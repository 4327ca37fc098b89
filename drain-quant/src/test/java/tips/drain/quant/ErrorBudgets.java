package tips.drain.quant;

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
  /** Input sizes: single blocks, odd block counts, and TinyLlama's 2048 and 5632. */
  public static final int[] SIZES = {32, 64, 96, 160, 2048, 5632};

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
        kernels.matvec(format, row, n, QuantTestData.activations(x, 1, n), out, 0, 1);
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
        int rows = cols <= 160 ? 67 : 9;
        float[] w = QuantTestData.uniform(rnd, rows * cols);
        MemorySegment seg = QuantTestData.quantize(arena, format, w, rows, cols);
        for (int batch : new int[] {1, 5}) {
          float[] x = QuantTestData.uniform(rnd, batch * cols);
          Q8Activations acts = QuantTestData.activations(x, batch, cols);
          float[] out = new float[batch * rows];
          if (batch == 1) {
            kernels.matvec(format, seg, cols, acts, out, 2, rows);
          } else {
            kernels.matmul(format, seg, rows, cols, acts, out, 2, rows);
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
}
