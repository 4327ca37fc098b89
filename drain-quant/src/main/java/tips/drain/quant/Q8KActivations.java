package tips.drain.quant;

import java.util.Arrays;
import tips.drain.tensor.InputKind;

/**
 * Activations quantized to ggml's Q8_K super-blocks, once per product with K-quant weights: {@code batch}
 * vectors of {@code cols} values, each super-block of 256 with its float scale {@code d}, its int8 values
 * (widened to {@code short} for the kernels' 16-bit lanes) and the sums of its 16 groups of 16 values
 * ({@code bsums}: the K-quants' minimums and Q6_K's {@code -32} are applied through them).
 *
 * <p>Quantization is ggml's {@code quantize_row_q8_K_ref}, which x86 ggml runs as it is:
 * {@code iscale = -127 / max} (max: the value of largest magnitude, with its sign),
 * {@code q = min(127, round-half-even(iscale · x))}, {@code d = 1 / iscale}.
 */
public final class Q8KActivations implements QuantizedInput {
  /** Values per super-block. */
  public static final int BLOCK = 256;
  /** Values per group of {@link #bsums()}. */
  public static final int GROUP = 16;

  private final int batch;
  private final int cols;
  private final short[] values;
  private final float[] scales;
  private final int[] bsums;

  /** Room for {@code batch} vectors of {@code cols} values; {@code cols} must be a multiple of 256. */
  public Q8KActivations(int batch, int cols) {
    if (batch < 1 || cols < 1 || cols % BLOCK != 0) {
      throw new IllegalArgumentException("Q8_K activations of " + batch + " x " + cols + ": cols must be a positive multiple of " + BLOCK);
    }
    this.batch = batch;
    this.cols = cols;
    this.values = new short[batch * cols];
    this.scales = new float[batch * cols / BLOCK];
    this.bsums = new int[batch * cols / GROUP];
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
    return new InputKind(ActivationFormat.Q8_K, cols);
  }

  /** The int8 values, vector after vector: {@code values[b * cols + i]}. */
  public short[] values() {
    return values;
  }

  /** One {@code d} per super-block, vector after vector: {@code scales[b * cols / 256 + block]}. */
  public float[] scales() {
    return scales;
  }

  /** The sum of each group of 16 values, vector after vector: {@code bsums[b * cols / 16 + group]}. */
  public int[] bsums() {
    return bsums;
  }

  /** Quantizes vector {@code b} from {@code x[xOffset .. xOffset + cols)} (the reference; kernels may do it faster). */
  public void quantize(int b, float[] x, int xOffset) {
    for (int k = 0; k < cols / BLOCK; k++) {
      quantizeBlock(x, xOffset + k * BLOCK, b * cols + k * BLOCK, b * (cols / BLOCK) + k);
    }
  }

  private void quantizeBlock(float[] x, int from, int valueIndex, int blockIndex) {
    float amax = 0f;
    float max = 0f;
    for (int j = 0; j < BLOCK; j++) {
      float ax = Math.abs(x[from + j]);
      if (ax > amax) {
        amax = ax;
        max = x[from + j];
      }
    }
    int groupIndex = blockIndex * (BLOCK / GROUP);
    if (amax == 0f) {
      scales[blockIndex] = 0f;
      Arrays.fill(values, valueIndex, valueIndex + BLOCK, (short) 0);
      Arrays.fill(bsums, groupIndex, groupIndex + BLOCK / GROUP, 0);
      return;
    }
    float iscale = -127f / max;
    for (int g = 0; g < BLOCK / GROUP; g++) {
      int sum = 0;
      for (int j = g * GROUP; j < (g + 1) * GROUP; j++) {
        int q = Math.min(127, KQuants.nearestInt(iscale * x[from + j]));
        values[valueIndex + j] = (short) q;
        sum += q;
      }
      bsums[groupIndex + g] = sum;
    }
    scales[blockIndex] = 1f / iscale;
  }
}
