package tips.drain.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/** Test inputs and the float reference every quantized result is measured against. */
public final class QuantTestData {
  /**
   * |result - reference| / n of a dot product. Q8_0 and Q4_0: ggml's achieved errors on test-quantize-fns's
   * data (as listed by candle). The formats added with the K-quants: ggml's own budget in test-quantize-fns,
   * {@code MAX_DOT_PRODUCT_ERROR = 0.02}; the achieved errors candle lists for them predate ggml's current
   * quantizers (Q5_K then used {@code make_qkx1_quants}), which DRAIN reproduces byte for byte
   * ({@code GgmlFixtureTest}). Kernel bugs are caught tighter by {@link ErrorBudgets#assertExactProducts}.
   */
  public static double dotErrorBudget(QuantFormat format) {
    return switch (format) {
      case Q8_0 -> 0.000092;
      case Q4_0 -> 0.001143;
      case Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> 0.02;
      case MXFP4 -> 0.03; // test-quantize-fns' MAX_DOT_PRODUCT_ERROR_FP4
    };
  }

  /** A width of {@code n} values rounded up to whole blocks of {@code format}: 32 stays 32 for Q8_0, becomes 256 for Q4_K. */
  public static int cols(QuantFormat format, int n) {
    int b = format.blockSize();
    return (n + b - 1) / b * b;
  }

  /** {@code batch} vectors of {@code x} quantized with the reference quantizer of {@code format}'s activations. */
  public static QuantizedInput input(QuantFormat format, float[] x, int batch, int cols) {
    if (format.activationFormat() == ActivationFormat.Q8_K) {
      Q8KActivations acts = new Q8KActivations(batch, cols);
      for (int b = 0; b < batch; b++) {
        acts.quantize(b, x, b * cols);
      }
      return acts;
    }
    return activations(x, batch, cols);
  }

  /** {@code kernels}' decode product with the input's vector 0, whichever its activation format. */
  public static void matvec(QuantKernels kernels, QuantFormat format, MemorySegment w, int cols, QuantizedInput x, float[] out, int rowFrom, int rowTo) {
    switch (x) {
      case Q8Activations q -> kernels.matvec(format, w, cols, q, out, rowFrom, rowTo);
      case Q8KActivations q -> kernels.matvec(format, w, cols, q, out, rowFrom, rowTo);
    }
  }

  /** {@code kernels}' batch-invariant product of single-vector inputs, all of one activation format. */
  public static void matvecs(QuantKernels kernels, QuantFormat format, MemorySegment w, int rows, int cols, QuantizedInput[] x, float[] out,
      int rowFrom, int rowTo) {
    if (format.activationFormat() == ActivationFormat.Q8_K) {
      Q8KActivations[] vectors = new Q8KActivations[x.length];
      for (int b = 0; b < x.length; b++) {
        vectors[b] = (Q8KActivations) x[b];
      }
      kernels.matvecs(format, w, rows, cols, vectors, out, rowFrom, rowTo);
    } else {
      Q8Activations[] vectors = new Q8Activations[x.length];
      for (int b = 0; b < x.length; b++) {
        vectors[b] = (Q8Activations) x[b];
      }
      kernels.matvecs(format, w, rows, cols, vectors, out, rowFrom, rowTo);
    }
  }

  /** {@code kernels}' prefill product with every vector of the input, whichever its activation format. */
  public static void matmul(QuantKernels kernels, QuantFormat format, MemorySegment w, int rows, int cols, QuantizedInput x, float[] out, int rowFrom, int rowTo) {
    switch (x) {
      case Q8Activations q -> kernels.matmul(format, w, rows, cols, q, out, rowFrom, rowTo);
      case Q8KActivations q -> kernels.matmul(format, w, rows, cols, q, out, rowFrom, rowTo);
    }
  }

  /** ggml's round-trip budget (MAX_QUANTIZATION_TOTAL_ERROR): sqrt(Σ(x - deq(q(x)))²) / n. */
  public static final double TOTAL_QUANTIZATION_ERROR = 0.002;

  /** The round-trip budget of {@code format}: ggml's MAX_QUANTIZATION_TOTAL_ERROR_FP4 (0.003) for MXFP4. */
  public static double totalQuantizationError(QuantFormat format) {
    return format == QuantFormat.MXFP4 ? 0.003 : TOTAL_QUANTIZATION_ERROR;
  }

  private QuantTestData() {}

  /** ggml's {@code generate_data}: {@code 0.1 + amplitude · cos(i + offset)}. */
  public static float[] ggmlData(float offset, int n, float amplitude) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (0.1 + amplitude * (float) Math.cos(i + offset));
    }
    return x;
  }

  /** Uniform in [-0.5, 0.5), as candle's quantized tests draw them. */
  public static float[] uniform(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextFloat() - 0.5f;
    }
    return x;
  }

  /** {@code rows × cols} floats quantized row by row with the reference quantizer, in {@code arena}. */
  public static MemorySegment quantize(Arena arena, QuantFormat format, float[] w, int rows, int cols) {
    MemorySegment seg = arena.allocate(format.byteSize(rows, cols));
    for (int r = 0; r < rows; r++) {
      format.quantizeRow(w, r * cols, cols, seg, r * format.rowBytes(cols));
    }
    return seg;
  }

  /** {@code batch} vectors of {@code x} quantized with the reference quantizer. */
  public static Q8Activations activations(float[] x, int batch, int cols) {
    Q8Activations acts = new Q8Activations(batch, cols);
    for (int b = 0; b < batch; b++) {
      acts.quantize(b, x, b * cols);
    }
    return acts;
  }

  /** ggml's {@code dot_product}: float products summed in double. */
  public static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  /** The F32 product {@code out[b * rows + r] = w[r] · x[b]}, in double. */
  public static double[] reference(float[] w, int rows, int cols, float[] x, int batch) {
    double[] out = new double[batch * rows];
    for (int b = 0; b < batch; b++) {
      for (int r = 0; r < rows; r++) {
        out[b * rows + r] = dot(w, r * cols, x, b * cols, cols);
      }
    }
    return out;
  }

  /** The mean over the outputs {@code [rowFrom, rowTo)} of every vector of the normalized error {@code |got - want| / cols}. */
  public static double meanNormalizedError(float[] got, double[] want, int rows, int cols, int batch, int rowFrom, int rowTo) {
    double sum = 0;
    for (int b = 0; b < batch; b++) {
      for (int r = rowFrom; r < rowTo; r++) {
        sum += Math.abs(got[b * rows + r] - want[b * rows + r]) / cols;
      }
    }
    return sum / ((double) batch * (rowTo - rowFrom));
  }
}
