package tips.drain.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import tips.drain.kernel.KernelProvider;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.Matrix;
import tips.drain.util.Parallel;

/**
 * A {@code rows × cols} weight matrix in a block format ({@link QuantFormat}), over a segment that holds the
 * rows one after another, each row {@code cols / blockSize} blocks: memory this class allocated when it
 * quantized a float matrix, or a slice of a mapped file (zero-copy).
 *
 * <p>Decode and small batches quantize their input to {@link Q8Activations} once, on the calling thread,
 * and then split the rows across the threads, which dot them in integers. From {@link TiledMatmul#MIN_BATCH}
 * tokens on, prefill dequantizes tiles of rows for core's F32 GEMM instead ({@link TiledMatmul}).
 */
public final class BlockMatrix implements Matrix {
  private final QuantFormat format;
  private final MemorySegment data;
  private final int rows;
  private final int cols;
  private final long rowBytes;
  private final QuantKernels kernels;

  /** A matrix over {@code data}, which must hold exactly {@code format.byteSize(rows, cols)} bytes. */
  public BlockMatrix(QuantFormat format, MemorySegment data, int rows, int cols, QuantKernels kernels) {
    this.format = Objects.requireNonNull(format);
    if (rows < 1 || !format.supports(cols)) {
      throw new QuantizationException("a " + rows + "x" + cols + " matrix cannot be stored as " + format
          + ": the input dimension (" + cols + ") must be a positive multiple of " + format.blockSize());
    }
    long expected = format.byteSize(rows, cols);
    if (data.byteSize() != expected) {
      throw new QuantizationException("segment of " + data.byteSize() + " bytes for a " + rows + "x" + cols + " "
          + format + " matrix (expected " + expected + ")");
    }
    this.data = data;
    this.rows = rows;
    this.cols = cols;
    this.rowBytes = format.rowBytes(cols);
    this.kernels = Objects.requireNonNull(kernels);
  }

  /**
   * Quantizes {@code source} (any matrix, typically BF16 or F32) into a new matrix of {@code format} in
   * off-heap memory, rows split across the threads of {@code parallel}.
   */
  public static BlockMatrix quantize(QuantFormat format, Matrix source, Parallel parallel, QuantKernels kernels) {
    checkQuantizable(format, source);
    MemorySegment data = Arena.ofAuto().allocate(format.byteSize(source.rows(), source.cols()), 64);
    return quantize(format, source, data, parallel, kernels);
  }

  /**
   * Quantizes {@code source} into {@code data} (exactly {@code format.byteSize(rows, cols)} bytes: memory of
   * the caller's, or a region of a file being written), rows split across the threads of {@code parallel}.
   */
  public static BlockMatrix quantize(QuantFormat format, Matrix source, MemorySegment data, Parallel parallel, QuantKernels kernels) {
    checkQuantizable(format, source);
    int rows = source.rows();
    int cols = source.cols();
    BlockMatrix target = new BlockMatrix(format, data, rows, cols, kernels);
    long rowBytes = format.rowBytes(cols);
    parallel.forRange(rows, (from, to) -> {
      float[] row = new float[cols];
      for (int r = from; r < to; r++) {
        source.readRow(r, row, 0);
        format.quantizeRow(row, 0, cols, data, r * rowBytes);
      }
    });
    return target;
  }

  private static void checkQuantizable(QuantFormat format, Matrix source) {
    if (!format.supports(source.cols())) {
      throw new QuantizationException("cannot quantize " + source + " (" + source.rows() + "x" + source.cols() + ", "
          + source.format() + ") to " + format + ": its input dimension " + source.cols()
          + " is not a multiple of the block size " + format.blockSize() + "; keep it in a float format");
    }
  }

  public QuantFormat quantFormat() {
    return format;
  }

  /** The stored blocks, row after row. */
  public MemorySegment data() {
    return data;
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
    return format.name();
  }

  @Override
  public long byteSize() {
    return data.byteSize();
  }

  @Override
  public void matvec(float[] x, float[] out, int rowFrom, int rowTo) {
    checkProduct(x, 1, out, rowFrom, rowTo);
    kernels.matvec(format, data, cols, quantizeInput(x, 1, null), out, rowFrom, rowTo);
  }

  /** The input quantized to Q8_0 blocks (and reordered for this format's decode kernel, if it wants). */
  @Override
  public Object prepareInput(float[] x) {
    if (x.length < cols) {
      throw new IllegalArgumentException("input of " + x.length + " floats for " + this + " (needs " + cols + ")");
    }
    Q8Activations input = quantizeInput(x, 1, null);
    kernels.prepare(format, input);
    return input;
  }

  /** Matrices of one block format and width share a prepared input. */
  @Override
  public Object inputKind() {
    return format + "x" + cols;
  }

  @Override
  public void matvecPrepared(Object input, float[] out, int rowFrom, int rowTo) {
    if (!(input instanceof Q8Activations x) || x.cols() != cols) {
      throw new IllegalArgumentException(this + " was given an input prepared for another kind of matrix: " + input);
    }
    Objects.checkFromToIndex(rowFrom, rowTo, rows);
    Objects.checkFromToIndex(rowFrom, rowTo, out.length);
    kernels.matvec(format, data, cols, x, out, rowFrom, rowTo);
  }

  @Override
  public void matvecs(float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    checkProduct(x, batch, out, rowFrom, rowTo);
    matvecsPrepared(prepareInputs(x, batch), batch, out, rowFrom, rowTo);
  }

  /** Each vector quantized to Q8_0 blocks on its own, and prepared as {@link #prepareInput} prepares one. */
  @Override
  public Object prepareInputs(float[] x, int batch) {
    if (x.length < (long) batch * cols) {
      throw new IllegalArgumentException("input of " + x.length + " floats for " + batch + " vectors of " + this);
    }
    Q8Activations[] inputs = new Q8Activations[batch];
    for (int b = 0; b < batch; b++) {
      inputs[b] = new Q8Activations(1, cols);
      kernels.quantize(x, b * cols, inputs[b], 0);
      kernels.prepare(format, inputs[b]);
    }
    return inputs;
  }

  @Override
  public void matvecsPrepared(Object input, int batch, float[] out, int rowFrom, int rowTo) {
    if (!(input instanceof Q8Activations[] xs) || xs.length != batch || xs[0].cols() != cols) {
      throw new IllegalArgumentException(this + " was given an input prepared for another kind of matrix: " + input);
    }
    Objects.checkFromToIndex(rowFrom, rowTo, rows);
    kernels.matvecs(format, data, rows, cols, xs, out, rowFrom, rowTo);
  }

  @Override
  public void matmul(float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    checkProduct(x, batch, out, rowFrom, rowTo);
    if (batch >= TiledMatmul.MIN_BATCH) {
      TiledMatmul.matmul(format, data, rows, cols, x, batch, out, rowFrom, rowTo, kernels, KernelProvider.kernels());
    } else {
      kernels.matmul(format, data, rows, cols, quantizeInput(x, batch, null), out, rowFrom, rowTo);
    }
  }

  @Override
  public void matvec(float[] x, float[] out, Parallel parallel) {
    checkProduct(x, 1, out, 0, rows);
    Object input = prepareInput(x);
    parallel.forRange(rows, (from, to) -> matvecPrepared(input, out, from, to));
  }

  @Override
  public void matmul(float[] x, int batch, float[] out, Parallel parallel) {
    if (batch == 1) {
      matvec(x, out, parallel);
      return;
    }
    checkProduct(x, batch, out, 0, rows);
    if (batch >= TiledMatmul.MIN_BATCH) {
      Kernels dense = KernelProvider.kernels();
      float[][] blocks = TiledMatmul.tokenBlocks(x, batch, cols);
      parallel.forRange(rows, (from, to) -> TiledMatmul.matmul(format, data, rows, cols, blocks, batch, out, from, to, kernels, dense));
      return;
    }
    Q8Activations input = quantizeInput(x, batch, parallel);
    parallel.forRange(rows, (from, to) -> kernels.matmul(format, data, rows, cols, input, out, from, to));
  }

  /** Rows {@code [from, to)} over the same bytes: whole rows of blocks are contiguous, so a slice is a matrix. */
  @Override
  public BlockMatrix rowRange(int from, int to) {
    Objects.checkFromToIndex(from, to, rows);
    if (from == to) {
      throw new IllegalArgumentException("an empty row range [" + from + ", " + to + ") of " + this);
    }
    return new BlockMatrix(format, data.asSlice(from * rowBytes, (to - from) * rowBytes), to - from, cols, kernels);
  }

  @Override
  public void readRow(int r, float[] dst, int dstOffset) {
    Objects.checkIndex(r, rows);
    Objects.checkFromIndexSize(dstOffset, cols, dst.length);
    format.dequantizeRow(data, r * rowBytes, dst, dstOffset, cols);
  }

  /** {@code batch} vectors of {@code x} as Q8_0 blocks, split across {@code parallel}'s threads when given. */
  private Q8Activations quantizeInput(float[] x, int batch, Parallel parallel) {
    Q8Activations input = new Q8Activations(batch, cols);
    if (parallel == null) {
      for (int b = 0; b < batch; b++) {
        kernels.quantize(x, b * cols, input, b);
      }
    } else {
      parallel.forRange(batch, (from, to) -> {
        for (int b = from; b < to; b++) {
          kernels.quantize(x, b * cols, input, b);
        }
      });
    }
    return input;
  }

  private void checkProduct(float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    Objects.checkFromToIndex(rowFrom, rowTo, rows);
    if (batch < 1 || x.length < (long) batch * cols || out.length < (long) (batch - 1) * rows + rowTo) {
      throw new IllegalArgumentException("product of " + this + " with " + batch + " vector(s): x has " + x.length
          + " floats (needs " + (long) batch * cols + "), out has " + out.length + " (needs " + ((long) (batch - 1) * rows + rowTo) + ")");
    }
  }

  @Override
  public String toString() {
    return "BlockMatrix[" + rows + "x" + cols + " " + format + "]";
  }
}
