package tips.drain.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The reference kernels: plain loops over the blocks of any {@link QuantFormat}, through its
 * {@link QuantFormat#unpackBlock} (and {@link KQuants} for the super-blocks). Per block, the integer products
 * are summed exactly and scaled once by {@code weightScale * activationScale} (plus {@code m · s} for Q4_1 and
 * Q5_1), as ggml's {@code ggml_vec_dot_*} references do.
 */
public final class ScalarQuantKernels implements QuantKernels {

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void quantize(float[] x, int xOffset, Q8Activations acts, int b) {
    acts.quantize(b, x, xOffset);
  }

  @Override
  public void matvec(QuantFormat format, MemorySegment w, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    byte[] q = new byte[format.blockSize()];
    long rowBytes = format.rowBytes(cols);
    for (int r = rowFrom; r < rowTo; r++) {
      out[r] = dotRow(format, w, r * rowBytes, cols, x, 0, q);
    }
  }

  @Override
  public void matvecs(QuantFormat format, MemorySegment w, int rows, int cols, Q8Activations[] x, float[] out, int rowFrom,
      int rowTo) {
    byte[] q = new byte[format.blockSize()];
    long rowBytes = format.rowBytes(cols);
    for (int r = rowFrom; r < rowTo; r++) {
      for (int b = 0; b < x.length; b++) {
        out[b * rows + r] = dotRow(format, w, r * rowBytes, cols, x[b], 0, q);
      }
    }
  }

  @Override
  public void matvecs(QuantFormat format, MemorySegment w, int rows, int cols, Q8KActivations[] x, float[] out, int rowFrom,
      int rowTo) {
    long rowBytes = format.rowBytes(cols);
    for (int r = rowFrom; r < rowTo; r++) {
      for (int b = 0; b < x.length; b++) {
        out[b * rows + r] = dotRow(format, w, r * rowBytes, cols, x[b], 0);
      }
    }
  }

  @Override
  public void matmul(QuantFormat format, MemorySegment w, int rows, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    byte[] q = new byte[format.blockSize()];
    long rowBytes = format.rowBytes(cols);
    for (int b = 0; b < x.batch(); b++) {
      for (int r = rowFrom; r < rowTo; r++) {
        out[b * rows + r] = dotRow(format, w, r * rowBytes, cols, x, b, q);
      }
    }
  }

  @Override
  public void matvec(QuantFormat format, MemorySegment w, int cols, Q8KActivations x, float[] out, int rowFrom, int rowTo) {
    long rowBytes = format.rowBytes(cols);
    for (int r = rowFrom; r < rowTo; r++) {
      out[r] = dotRow(format, w, r * rowBytes, cols, x, 0);
    }
  }

  @Override
  public void matmul(QuantFormat format, MemorySegment w, int rows, int cols, Q8KActivations x, float[] out, int rowFrom, int rowTo) {
    long rowBytes = format.rowBytes(cols);
    for (int b = 0; b < x.batch(); b++) {
      for (int r = rowFrom; r < rowTo; r++) {
        out[b * rows + r] = dotRow(format, w, r * rowBytes, cols, x, b);
      }
    }
  }

  @Override
  public void dequantize(QuantFormat format, MemorySegment w, int cols, int rowFrom, int rowTo, MemorySegment dst) {
    long rowBytes = format.rowBytes(cols);
    float[] row = new float[cols];
    for (int r = rowFrom; r < rowTo; r++) {
      format.dequantizeRow(w, r * rowBytes, row, 0, cols);
      MemorySegment.copy(row, 0, dst, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) (r - rowFrom) * cols * Float.BYTES, cols);
    }
  }

  /** One weight row (at byte {@code rowOffset}) dotted with activation vector {@code b}; {@code q} is scratch. */
  static float dotRow(QuantFormat format, MemorySegment w, long rowOffset, int cols, Q8Activations x, int b, byte[] q) {
    int blockSize = format.blockSize();
    int blocks = cols / blockSize;
    short[] values = x.values();
    float[] scales = x.scales();
    float[] sumScales = x.sumScales();
    boolean withMin = format == QuantFormat.Q4_1 || format == QuantFormat.Q5_1;
    float sum = 0f;
    for (int k = 0; k < blocks; k++) {
      float d = format.unpackBlock(w, rowOffset + (long) k * format.blockBytes(), q);
      int base = b * cols + k * blockSize;
      int dot = 0;
      for (int j = 0; j < blockSize; j++) {
        dot += q[j] * values[base + j];
      }
      if (withMin) {
        sum += dot * (d * scales[b * blocks + k]) + format.minOf(w, rowOffset + (long) k * format.blockBytes()) * sumScales[b * blocks + k];
      } else {
        sum += dot * (d * scales[b * blocks + k]);
      }
    }
    return sum;
  }

  /** One K-quant weight row (at byte {@code rowOffset}) dotted with Q8_K activation vector {@code b}. */
  static float dotRow(QuantFormat format, MemorySegment w, long rowOffset, int cols, Q8KActivations x, int b) {
    int blocks = cols / KQuants.QK;
    float sum = 0f;
    for (int k = 0; k < blocks; k++) {
      long o = rowOffset + (long) k * format.blockBytes();
      sum += switch (format) {
        case Q4_K -> KQuants.dot45(w, o, false, x, b * blocks + k);
        case Q5_K -> KQuants.dot45(w, o, true, x, b * blocks + k);
        case Q6_K -> KQuants.dot6(w, o, x, b * blocks + k);
        default -> throw new IllegalArgumentException(format + " is dotted with Q8_0 activations, not Q8_K");
      };
    }
    return sum;
  }
}
