package tips.drain.quant;

/**
 * Activations quantized to {@link QuantFormat#Q8_0} blocks, once per matrix product, so that every weight
 * row is dotted with integers: {@code batch} vectors of {@code cols} values, each block of 32 with its F16
 * scale (held as the float it converts to), its int8 values widened to {@code short} (the kernels multiply
 * in 16-bit lanes) and the sum of those values (Q4_0's {@code -8} offset is applied through it).
 *
 * <p>Quantization rounds exactly as the {@code Q8_0} row does, so {@code value = q * scale} holds
 * block for block with a Q8_0 weight row made from the same floats.
 */
public final class Q8Activations {
  /** Values per block. */
  public static final int BLOCK = 32;

  private final int batch;
  private final int cols;
  private final short[] values;
  private final float[] scales;
  private final float[] sums;
  private Object reordered;

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
  }

  public int batch() {
    return batch;
  }

  public int cols() {
    return cols;
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

  /**
   * Vector 0 in the order one kernel reads it, made once per product by {@link QuantKernels#prepare} before
   * the rows are split across threads; {@code null} if none was made (the kernel then makes its own).
   */
  public Object reordered() {
    return reordered;
  }

  public void reordered(Object layout) {
    this.reordered = layout;
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
    float id = d != 0f ? 1f / d : 0f;
    int sum = 0;
    for (int j = 0; j < BLOCK; j++) {
      int q = QuantFormat.roundHalfAwayFromZero(x[from + j] * id);
      values[valueIndex + j] = (short) q;
      sum += q;
    }
    scales[blockIndex] = Float.float16ToFloat(Float.floatToFloat16(d));
    sums[blockIndex] = sum;
  }
}
