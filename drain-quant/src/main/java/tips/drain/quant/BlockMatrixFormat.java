package tips.drain.quant;

import java.lang.foreign.MemorySegment;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.MatrixFormat;
import tips.drain.util.Parallel;

/**
 * The block formats as core's {@link MatrixFormat} service, one small subclass per row of
 * {@link QuantFormat} (the service loader needs a class per instance). Kernels come from
 * {@link QuantKernelProvider}.
 */
public abstract class BlockMatrixFormat implements MatrixFormat {
  private final QuantFormat format;

  protected BlockMatrixFormat(QuantFormat format) {
    this.format = format;
  }

  /** The row of the format table this service stands for. */
  public QuantFormat quantFormat() {
    return format;
  }

  @Override
  public String name() {
    return format.name();
  }

  @Override
  public boolean supports(int cols) {
    return format.supports(cols);
  }

  @Override
  public long byteSize(int rows, int cols) {
    if (!format.supports(cols)) {
      throw new QuantizationException(format + " stores rows of a multiple of " + format.blockSize() + " values, not " + cols);
    }
    return format.byteSize(rows, cols);
  }

  @Override
  public Matrix quantize(Matrix source, Parallel parallel) {
    return BlockMatrix.quantize(format, source, parallel, QuantKernelProvider.kernels());
  }

  @Override
  public Matrix open(MemorySegment data, int rows, int cols) {
    return new BlockMatrix(format, data, rows, cols, QuantKernelProvider.kernels());
  }

  @Override
  public String toString() {
    return "MatrixFormat[" + format + "]";
  }

  /** {@link QuantFormat#Q8_0} as a service. */
  public static final class Q8_0 extends BlockMatrixFormat {
    public Q8_0() {
      super(QuantFormat.Q8_0);
    }
  }

  /** {@link QuantFormat#Q4_0} as a service. */
  public static final class Q4_0 extends BlockMatrixFormat {
    public Q4_0() {
      super(QuantFormat.Q4_0);
    }
  }

  /** {@link QuantFormat#Q4_1} as a service. */
  public static final class Q4_1 extends BlockMatrixFormat {
    public Q4_1() {
      super(QuantFormat.Q4_1);
    }
  }

  /** {@link QuantFormat#Q5_0} as a service. */
  public static final class Q5_0 extends BlockMatrixFormat {
    public Q5_0() {
      super(QuantFormat.Q5_0);
    }
  }

  /** {@link QuantFormat#Q5_1} as a service. */
  public static final class Q5_1 extends BlockMatrixFormat {
    public Q5_1() {
      super(QuantFormat.Q5_1);
    }
  }

  /** {@link QuantFormat#Q4_K} as a service. */
  public static final class Q4_K extends BlockMatrixFormat {
    public Q4_K() {
      super(QuantFormat.Q4_K);
    }
  }

  /** {@link QuantFormat#Q5_K} as a service. */
  public static final class Q5_K extends BlockMatrixFormat {
    public Q5_K() {
      super(QuantFormat.Q5_K);
    }
  }

  /** {@link QuantFormat#Q6_K} as a service. */
  public static final class Q6_K extends BlockMatrixFormat {
    public Q6_K() {
      super(QuantFormat.Q6_K);
    }
  }

  /** {@link QuantFormat#MXFP4} as a service. */
  public static final class MXFP4 extends BlockMatrixFormat {
    public MXFP4() {
      super(QuantFormat.MXFP4);
    }
  }
}
