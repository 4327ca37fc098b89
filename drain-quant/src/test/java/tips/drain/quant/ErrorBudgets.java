package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Quantized products checked in two parts, each with a tolerance that has a reason:
 *
 * <ul>
 *   <li>the kernel against the exact product of the same quantized weights and activations (computed in double):
 *       the integer part of a block is exact, so the kernel may differ only by the rounding of its float
 *       arithmetic, at most {@code (blocks + 4) · 2^-24 · Σ|terms|} (the bound of a sum of {@code blocks} floats in
 *       any order, plus the products that scale each block; terms counted with the ±16 offset a 4-bit kernel may
 *       subtract after the fact). This is the kernel's test, far from its edge when the kernel is right;
 *   <li>the exact quantized product against the float product, normalized as ggml's test-quantize-fns does
 *       ({@code |result - reference| / n}), within ggml's thresholds. The blocks are ggml's bit for bit
 *       ({@link QuantFormatTest}), so this error is the format's, the same as ggml's own (for Q8_0 on ggml's data
 *       0.0000918 against ggml's threshold 0.000092: ggml set its threshold just above its achieved error); it is
 *       deterministic and does not depend on any kernel.
 * </ul>
 *
 * Cases: ggml's dot of 4096 values of its data, and random matrices of every size in {@link #SIZES}.
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
        Q8Activations acts = QuantTestData.activations(x, 1, n);
        float[] out = new float[1];
        kernels.matvec(format, row, n, acts, out, 0, 1);
        double[] exact = exactQuantizedDot(format, row, 0, acts, 0, n);
        assertKernelRounding(kernels.name() + " " + format + " case " + c, out[0], exact, n);
        double formatError = Math.abs(exact[0] - QuantTestData.dot(w, 0, x, 0, n)) / n;
        System.out.printf("%s %s dot error, case %d: format %.7f (ggml threshold %.6f), kernel %.2e from exact%n",
            kernels.name(), format, c, formatError, budgets[c], Math.abs(out[0] - exact[0]) / n);
        assertTrue(formatError <= budgets[c], format + " case " + c + ": the format's dot error " + formatError + " > " + budgets[c]);
      }
    }
  }

  /**
   * The product of row {@code rowOffset} of quantized weights and activation vector {@code b}, exactly (in
   * double), and the magnitude its float rounding is bounded by: {@code {value, Σ|d_w d_x| (|q_w| + 16) |q_x|}}.
   */
  static double[] exactQuantizedDot(QuantFormat format, MemorySegment weights, long rowOffset, Q8Activations acts,
      int b, int n) {
    float[] w = new float[n];
    format.dequantizeRow(weights, rowOffset, w, 0, n);
    int blocks = n / Q8Activations.BLOCK;
    double value = 0;
    double magnitude = 0;
    for (int k = 0; k < blocks; k++) {
      double dx = acts.scales()[b * blocks + k];
      for (int j = 0; j < Q8Activations.BLOCK; j++) {
        int i = k * Q8Activations.BLOCK + j;
        double qx = acts.values()[b * n + i];
        value += (double) w[i] * qx * dx;
        // |w| + 16·d_w: the weight with the largest offset a kernel may add and subtract again (Q4_0's 8, doubled)
        double dw = Math.abs(format.unpackBlock(weights, rowOffset + (long) (i / format.blockSize()) * format.blockBytes(),
            new byte[format.blockSize()]));
        magnitude += (Math.abs(w[i]) + 16 * dw) * Math.abs(qx * dx);
      }
    }
    return new double[] {value, magnitude};
  }

  /** The kernel's result within the float rounding of {@code n / 32} block sums of the exact quantized product. */
  static void assertKernelRounding(String what, float got, double[] exact, int n) {
    double tolerance = (n / Q8Activations.BLOCK + 4) * 0x1p-24 * exact[1];
    assertTrue(Math.abs(got - exact[0]) <= tolerance, what + ": kernel " + got + " vs exact quantized " + exact[0]
        + ", more than float rounding (" + tolerance + ") apart");
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
          double[] exactOut = new double[batch * rows];
          for (int b = 0; b < batch; b++) {
            for (int r = 2; r < rows; r++) {
              double[] exact = exactQuantizedDot(format, seg, (long) r * format.byteSize(1, cols), acts, b, cols);
              assertKernelRounding(kernels.name() + " " + format + " " + rows + "x" + cols + " batch " + batch + " row " + r,
                  out[b * rows + r], exact, cols);
              exactOut[b * rows + r] = exact[0];
            }
          }
          float[] exactFloats = new float[exactOut.length];
          for (int i = 0; i < exactOut.length; i++) {
            exactFloats[i] = (float) exactOut[i];
          }
          double error = QuantTestData.meanNormalizedError(exactFloats, QuantTestData.reference(w, rows, cols, x, batch), rows, cols, batch, 2, rows);
          double budget = QuantTestData.dotErrorBudget(format);
          if (error > worst) {
            worst = error;
            worstAt = rows + "x" + cols + " batch " + batch;
          }
          assertTrue(error <= budget, format + " " + rows + "x" + cols + " batch " + batch
              + ": the format's mean normalized error " + error + " > " + budget);
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
