package tips.drain.quant;

import java.lang.foreign.MemorySegment;

/**
 * The integer kernels of the block formats: weight rows of a {@link QuantFormat} dotted with its activations,
 * {@link Q8Activations} (the 32-weight formats) or {@link Q8KActivations} (the K-quants).
 * {@link ScalarQuantKernels} is the reference, written for any row of the format table;
 * {@code tips.drain.quant.panama.PanamaQuantKernels} has Vector API loops for Q8_0, Q4_0 and the K-quants. Get
 * the implementation for this JVM from {@link QuantKernelProvider#kernels()}.
 *
 * <p>{@code w} is a whole matrix: row {@code r} starts at byte {@code r * format.rowBytes(cols)}. Callers
 * validate shapes; kernels only compute.
 */
public interface QuantKernels {

  /** A short name for logs and benchmarks: {@code "scalar"} or {@code "panama-512"}. */
  String name();

  /** Quantizes {@code x[xOffset .. xOffset + cols)} into vector {@code b} of {@code acts}, exactly as {@link Q8Activations#quantize}. */
  void quantize(float[] x, int xOffset, Q8Activations acts, int b);

  /** Quantizes {@code x[xOffset .. xOffset + cols)} into vector {@code b} of {@code acts}, exactly as {@link Q8KActivations#quantize}. */
  default void quantize(float[] x, int xOffset, Q8KActivations acts, int b) {
    acts.quantize(b, x, xOffset);
  }

  /**
   * The form of the activations this implementation's products with {@code format} weights {@code cols} wide
   * read: the format's own, or one laid out further for a kernel ({@link ActivationFormat#Q8_0_Q4_0_ORDER}).
   * Matrices whose formats give the same one share a prepared input.
   */
  default ActivationFormat inputFormat(QuantFormat format, int cols) {
    return format.activationFormat();
  }

  /**
   * Called once per decode product, after {@code x} is quantized and before its rows are split across
   * threads: a kernel that reads the activations in another order makes that copy here
   * (e.g. {@link Q8Activations#q4Order}), once instead of once per thread. Does nothing by default.
   */
  default void prepare(QuantFormat format, Q8Activations x) {}

  /** Decode: {@code out[r] = W[r, :] · x₀} for {@code rowFrom <= r < rowTo}, with {@code x₀} vector 0 of {@code x}. */
  void matvec(QuantFormat format, MemorySegment w, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo);

  /**
   * Batch-invariant product of a few vectors (a decode step of several sequences): {@code out[b * rows + r] =
   * W[r, :] · x[b]₀} for {@code b < x.length}, {@code rowFrom <= r < rowTo}, each summed exactly as {@link #matvec}
   * sums {@code x[b]} alone. {@code x[b]} holds one vector, prepared ({@link #prepare}). Each row is read from
   * memory once for all vectors.
   */
  void matvecs(QuantFormat format, MemorySegment w, int rows, int cols, Q8Activations[] x, float[] out, int rowFrom, int rowTo);

  /** {@link #matvecs(QuantFormat, MemorySegment, int, int, Q8Activations[], float[], int, int)} with K-quant weights. */
  void matvecs(QuantFormat format, MemorySegment w, int rows, int cols, Q8KActivations[] x, float[] out, int rowFrom, int rowTo);

  /**
   * Prefill: {@code out[b * rows + r] = W[r, :] · x_b} for every vector {@code b < x.batch()} and
   * {@code rowFrom <= r < rowTo}.
   */
  void matmul(QuantFormat format, MemorySegment w, int rows, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo);

  /** Decode with K-quant weights: {@code out[r] = W[r, :] · x₀} for {@code rowFrom <= r < rowTo}. */
  void matvec(QuantFormat format, MemorySegment w, int cols, Q8KActivations x, float[] out, int rowFrom, int rowTo);

  /** Prefill with K-quant weights: {@code out[b * rows + r] = W[r, :] · x_b}. */
  void matmul(QuantFormat format, MemorySegment w, int rows, int cols, Q8KActivations x, float[] out, int rowFrom, int rowTo);

  /**
   * Rows {@code [rowFrom, rowTo)} of {@code w} as little-endian floats, row after row from byte 0 of
   * {@code dst}: the weights of a tile that a large matmul hands to core's F32 GEMM. {@code dst} is native
   * memory, as the mapped weights are: a heap segment here would make the GEMM's segment loads see two
   * implementations and compile slower for every caller.
   */
  void dequantize(QuantFormat format, MemorySegment w, int cols, int rowFrom, int rowTo, MemorySegment dst);
}
