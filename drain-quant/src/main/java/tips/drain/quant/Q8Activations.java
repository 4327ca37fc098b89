package tips.drain.quant;

import tips.drain.tensor.InputKind;

/**
 * Activations quantized to ggml's Q8_0 blocks, once per matrix product, so that every weight row is dotted
 * with integers: {@code batch} vectors of {@code cols} values, each block of 32 with its F16 scale (held as the
 * float it converts to), its int8 values widened to {@code short} (the kernels multiply in 16-bit lanes), the
 * sum of those values (Q4_0's {@code -8} offset is applied through it) and Q8_1's {@code s}, the F16 of
 * {@code d · sum} (Q4_1's and Q5_1's minimum is applied through it).
 *
 * <p>Quantization is x86 ggml's {@code quantize_row_q8_0} / {@code quantize_row_q8_1}, what llama.cpp runs on
 * the machines DRAIN targets: {@code d = amax / 127}, {@code q = round-half-even(x · (127 / amax))}.
 */
public final class Q8Activations implements QuantizedInput {
  /** Values per block. */
  public static final int BLOCK = 32;

  private final int batch;
  private final int cols;
  private final short[] values;
  private final float[] scales;
  private final float[] sums;
  private final float[] sumScales;
  private Q4_0Order q4Order;

  /** Room for {@code batch} vectors of {@code cols} values; {@code cols} must be a multiple of 32. */
  public Q8Activations(int batch, int cols) {
    if (batch < 1 || cols < 1 || cols % BLOCK != 0) {
      throw new IllegalArgumentException("activations of " + batch + " x " + cols + ": cols must be a positive multiple of " + BLOCK);
    }
    this.batch = batch;
    this.cols = cols;
    this.values = new short[batch * cols];
    this.scales = new float[batch * cols / BLOCK];
    this.sums = new float[batch * cols / BLOCK];
    this.sumScales = new float[batch * cols / BLOCK];
  }

  @Override
  public int batch() {
    return batch;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public InputKind kind() {
    return new InputKind(q4Order == null ? ActivationFormat.Q8_0 : ActivationFormat.Q8_0_Q4_0_ORDER, cols);
  }

  /** The int8 values, vector after vector: {@code values[b * cols + i]}. */
  public short[] values() {
    return values;
  }

  /** One scale per block, vector after vector: {@code scales[b * cols / 32 + block]}. */
  public float[] scales() {
    return scales;
  }

  /** The sum of each block's values (an integer, exact as a float: at most 32·127), indexed as {@link #scales()}. */
  public float[] sums() {
    return sums;
  }

  /** Q8_1's {@code s} of each block: {@code d · sum} rounded to F16, {@code d} unrounded; indexed as {@link #scales()}. */
  public float[] sumScales() {
    return sumScales;
  }

  /**
   * Vector 0 in the 512-bit Q4_0 decode kernel's order, made once per product by {@link QuantKernels#prepare}
   * before the rows are split across threads; {@code null} if none was made (the kernel then makes its own).
   */
  public Q4_0Order q4Order() {
    return q4Order;
  }

  public void q4Order(Q4_0Order order) {
    this.q4Order = order;
  }

  /** Quantizes vector {@code b} from {@code x[xOffset .. xOffset + cols)} (the reference; kernels may do it faster). */
  public void quantize(int b, float[] x, int xOffset) {
    for (int k = 0; k < cols / BLOCK; k++) {
      quantizeBlock(x, xOffset + k * BLOCK, b * cols + k * BLOCK, b * (cols / BLOCK) + k);
    }
  }

  private void quantizeBlock(float[] x, int from, int valueIndex, int blockIndex) {
    float amax = 0f;
    for (int j = 0; j < BLOCK; j++) {
      amax = Math.max(amax, Math.abs(x[from + j]));
    }
    float d = amax / 127f;
    float id = amax != 0f ? 127f / amax : 0f;
    int sum = 0;
    for (int j = 0; j < BLOCK; j++) {
      int q = (int) Math.rint(x[from + j] * id);
      values[valueIndex + j] = (short) q;
      sum += q;
    }
    scales[blockIndex] = Float.float16ToFloat(Float.floatToFloat16(d));
    sums[blockIndex] = sum;
    sumScales[blockIndex] = Float.float16ToFloat(Float.floatToFloat16(d * sum));
  }
}
