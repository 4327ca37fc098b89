package tips.drain.quant.panama;

import java.lang.foreign.MemorySegment;
import tips.drain.quant.ActivationFormat;
import tips.drain.quant.Q8Activations;
import tips.drain.quant.Q8KActivations;
import tips.drain.quant.QuantFormat;
import tips.drain.quant.QuantKernels;
import tips.drain.quant.ScalarQuantKernels;

/**
 * The Vector API kernels of the block formats, loaded reflectively by
 * {@code tips.drain.quant.QuantKernelProvider} only when {@code jdk.incubator.vector} is present. Every format
 * has its own loops ({@link PanamaQ8}, {@link PanamaQ4}, {@link PanamaQ5}, {@link PanamaKQuants},
 * {@link PanamaMxfp4}); a format without one runs on the scalar reference, so a new row of {@link QuantFormat}
 * works before it is optimized.
 */
public final class PanamaQuantKernels implements QuantKernels {
  /** Weight bytes a matmul keeps in cache while token tiles pass over them (well inside a 1 MiB L2). */
  static final long ROW_BLOCK_BYTES = 256 * 1024;
  private final ScalarQuantKernels scalar = new ScalarQuantKernels();

  /** Called reflectively by the kernel provider. */
  public PanamaQuantKernels() {}

  @Override
  public String name() {
    return "panama-" + PanamaQuantSpecies.BITS;
  }

  @Override
  public void quantize(float[] x, int xOffset, Q8Activations acts, int b) {
    PanamaQ8Activations.quantize(x, xOffset, acts, b);
  }

  @Override
  public void quantize(float[] x, int xOffset, Q8KActivations acts, int b) {
    PanamaQ8Activations.quantize(x, xOffset, acts, b);
  }

  @Override
  public ActivationFormat inputFormat(QuantFormat format, int cols) {
    return format == QuantFormat.Q4_0 && PanamaQ4Groups.groups(cols) > 0 ? ActivationFormat.Q8_0_Q4_0_ORDER : format.activationFormat();
  }

  @Override
  public void prepare(QuantFormat format, Q8Activations x) {
    if (format == QuantFormat.Q4_0) {
      PanamaQ4.prepare(x);
    }
  }

  @Override
  public void matvec(QuantFormat format, MemorySegment w, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    switch (format) {
      case Q8_0 -> PanamaQ8.matvec(w, cols, x, out, rowFrom, rowTo);
      case Q4_0 -> PanamaQ4.matvec(w, cols, x, out, rowFrom, rowTo);
      case Q4_1, Q5_0, Q5_1 -> PanamaQ5.matvec(format, w, cols, x, out, rowFrom, rowTo);
      case MXFP4 -> PanamaMxfp4.matvec(w, cols, x, out, rowFrom, rowTo);
      default -> scalar.matvec(format, w, cols, x, out, rowFrom, rowTo);
    }
  }

  @Override
  public void matvecs(QuantFormat format, MemorySegment w, int rows, int cols, Q8Activations[] x, float[] out, int rowFrom,
      int rowTo) {
    switch (format) {
      case Q8_0 -> PanamaQ8Tokens.matvecs(w, rows, cols, x, out, rowFrom, rowTo);
      case Q4_0, Q4_1, Q5_0, Q5_1, MXFP4 -> PanamaRowTiles.matvecs(this, format, w, rows, cols, x, out, rowFrom, rowTo);
      default -> scalar.matvecs(format, w, rows, cols, x, out, rowFrom, rowTo);
    }
  }

  @Override
  public void matvecs(QuantFormat format, MemorySegment w, int rows, int cols, Q8KActivations[] x, float[] out, int rowFrom,
      int rowTo) {
    PanamaRowTiles.matvecs(this, format, w, rows, cols, x, out, rowFrom, rowTo);
  }

  @Override
  public void matmul(QuantFormat format, MemorySegment w, int rows, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    switch (format) {
      case Q8_0 -> PanamaQ8.matmul(w, rows, cols, x, out, rowFrom, rowTo);
      case Q4_0 -> PanamaQ4.matmul(w, rows, cols, x, out, rowFrom, rowTo);
      case MXFP4 -> PanamaMxfp4.matmul(w, rows, cols, x, out, rowFrom, rowTo);
      case Q4_1, Q5_0, Q5_1 -> PanamaQ5.matmul(format, w, rows, cols, x, out, rowFrom, rowTo);
      default -> scalar.matmul(format, w, rows, cols, x, out, rowFrom, rowTo);
    }
  }

  @Override
  public void matvec(QuantFormat format, MemorySegment w, int cols, Q8KActivations x, float[] out, int rowFrom, int rowTo) {
    switch (format) {
      case Q4_K -> PanamaKQuants.matvec45(w, cols, false, x, out, rowFrom, rowTo);
      case Q5_K -> PanamaKQuants.matvec45(w, cols, true, x, out, rowFrom, rowTo);
      case Q6_K -> PanamaKQuants.matvec6(w, cols, x, out, rowFrom, rowTo);
      default -> scalar.matvec(format, w, cols, x, out, rowFrom, rowTo);
    }
  }

  @Override
  public void matmul(QuantFormat format, MemorySegment w, int rows, int cols, Q8KActivations x, float[] out, int rowFrom, int rowTo) {
    switch (format) {
      case Q4_K -> PanamaKQuants.matmul45(w, rows, cols, false, x, out, rowFrom, rowTo);
      case Q5_K -> PanamaKQuants.matmul45(w, rows, cols, true, x, out, rowFrom, rowTo);
      case Q6_K -> PanamaKQuants.matmul6(w, rows, cols, x, out, rowFrom, rowTo);
      default -> scalar.matmul(format, w, rows, cols, x, out, rowFrom, rowTo);
    }
  }

  @Override
  public void dequantize(QuantFormat format, MemorySegment w, int cols, int rowFrom, int rowTo, MemorySegment dst) {
    switch (format) {
      case Q8_0 -> PanamaDequantize.q8(w, cols, rowFrom, rowTo, dst);
      case Q4_0 -> PanamaDequantize.q4(w, cols, rowFrom, rowTo, dst);
      case Q4_1, Q5_0, Q5_1 -> PanamaQ5.dequantize(format, w, cols, rowFrom, rowTo, dst);
      case Q4_K -> PanamaKQuants.dequantize45(w, cols, false, rowFrom, rowTo, dst);
      case Q5_K -> PanamaKQuants.dequantize45(w, cols, true, rowFrom, rowTo, dst);
      case Q6_K -> PanamaKQuants.dequantize6(w, cols, rowFrom, rowTo, dst);
      default -> scalar.dequantize(format, w, cols, rowFrom, rowTo, dst);
    }
  }

  /** Rows per cache block of a matmul: {@link #ROW_BLOCK_BYTES} worth, at least one. */
  static int rowBlock(long rowBytes) {
    return (int) Math.max(1, ROW_BLOCK_BYTES / rowBytes);
  }
}
