package tips.drain.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import tips.drain.kernel.Kernels;

/**
 * A dense F32, F16 or BF16 matrix read in place from a (memory-mapped) segment, row-major, little-endian.
 * Nothing is copied or widened at load; the kernels read the stored format directly.
 */
public final class DenseMatrix implements Matrix {
  private final MemorySegment data;
  private final DType dtype;
  private final int rows;
  private final int cols;
  private final Kernels kernels;

  public DenseMatrix(MemorySegment data, DType dtype, int rows, int cols, Kernels kernels) {
    if (!dtype.isFloatWeight()) {
      throw new IllegalArgumentException("dense matrices are F32, F16 or BF16, not " + dtype);
    }
    long expected = (long) rows * cols * dtype.bytes();
    if (data.byteSize() != expected) {
      throw new IllegalArgumentException(
          "segment of " + data.byteSize() + " bytes for a " + rows + "x" + cols + " " + dtype + " matrix (expected " + expected + ")");
    }
    this.data = data;
    this.dtype = dtype;
    this.rows = rows;
    this.cols = cols;
    this.kernels = Objects.requireNonNull(kernels);
  }

  /** An F32 matrix holding a copy of {@code values} ({@code rows × cols}, row-major) in native memory. */
  public static DenseMatrix copyOf(float[] values, int rows, int cols, Kernels kernels) {
    if (values.length != (long) rows * cols) {
      throw new IllegalArgumentException(values.length + " values for a " + rows + "x" + cols + " matrix");
    }
    MemorySegment data = Arena.ofAuto().allocate((long) values.length * Float.BYTES, 64);
    MemorySegment.copy(values, 0, data, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values.length);
    return new DenseMatrix(data, DType.F32, rows, cols, kernels);
  }

  public MemorySegment data() {
    return data;
  }

  public DType dtype() {
    return dtype;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public String format() {
    return dtype.safetensorsName();
  }

  @Override
  public long byteSize() {
    return data.byteSize();
  }

  @Override
  public void matvec(float[] x, float[] out, int rowFrom, int rowTo) {
    kernels.matvec(dtype, data, cols, x, out, rowFrom, rowTo);
  }

  @Override
  public void matvecs(float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    kernels.matvecs(dtype, data, rows, cols, x, batch, out, rowFrom, rowTo);
  }

  @Override
  public void matmul(float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    kernels.matmul(dtype, data, rows, cols, x, batch, out, rowFrom, rowTo);
  }

  @Override
  public void readRow(int r, float[] dst, int dstOffset) {
    Objects.checkIndex(r, rows);
    long base = (long) r * cols * dtype.bytes();
    switch (dtype) {
      case F32 -> MemorySegment.copy(data, ValueLayout.JAVA_FLOAT_UNALIGNED, base, dst, dstOffset, cols);
      case BF16 -> {
        for (int i = 0; i < cols; i++) {
          dst[dstOffset + i] = Floats.bf16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, base + 2L * i));
        }
      }
      case F16 -> {
        for (int i = 0; i < cols; i++) {
          dst[dstOffset + i] = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, base + 2L * i));
        }
      }
      default -> throw new AssertionError(dtype);
    }
  }

  /** A view of rows {@code [from, to)} over the same segment. */
  @Override
  public DenseMatrix rowRange(int from, int to) {
    Objects.checkFromToIndex(from, to, rows);
    long rowBytes = (long) cols * dtype.bytes();
    return new DenseMatrix(data.asSlice(from * rowBytes, (to - from) * rowBytes), dtype, to - from, cols, kernels);
  }

  @Override
  public String toString() {
    return "DenseMatrix[" + rows + "x" + cols + " " + dtype + "]";
  }
}
