package tips.drain.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import tips.drain.kernel.KernelProvider;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.InputKind;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.PreparedInput;
import tips.drain.util.Parallel;

/**
 * A {@code rows × cols} weight matrix in a block format ({@link QuantFormat}), over a segment that holds the
 * rows one after another, each row {@code cols / blockSize} blocks: memory this class allocated when it
 * quantized a float matrix, or a slice of a mapped file (zero-copy).
 *
 * <p>Decode and small batches quantize their input once, on the calling thread, to the format's
 * {@link ActivationFormat} ({@link Q8Activations} or, for the K-quants, {@link Q8KActivations}), and then split
 * the rows across the threads, which dot them in integers. From {@link TiledMatmul#MIN_BATCH}
 * tokens on, prefill dequantizes tiles of rows for core's F32 GEMM instead ({@link TiledMatmul}).
 */
public final class BlockMatrix implements Matrix {
  private final QuantFormat format;
  private final MemorySegment data;
  private final int rows;
  private final int cols;
  private final long rowBytes;
  private final QuantKernels kernels;
  private final InputKind inputKind;

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
    this.inputKind = new InputKind(kernels.inputFormat(format, cols), cols);
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
    decode(quantizeInput(x, 1, null), out, rowFrom, rowTo);
  }

  /** The input quantized to the format's activations (and laid out for this format's decode kernel, if it wants). */
  @Override
  public QuantizedInput prepareInput(float[] x) {
    if (x.length < cols) {
      throw new IllegalArgumentException("input of " + x.length + " floats for " + this + " (needs " + cols + ")");
    }
    QuantizedInput input = quantizeInput(x, 1, null);
    if (input instanceof Q8Activations q8) {
      kernels.prepare(format, q8);
    }
    return input;
  }

  /** Matrices of one width whose formats read the same activations share a prepared input. */
  @Override
  public InputKind inputKind() {
    return inputKind;
  }

  @Override
  public void matvecPrepared(PreparedInput input, float[] out, int rowFrom, int rowTo) {
    if (!(input instanceof QuantizedInput x) || !x.kind().equals(inputKind)) {
      throw new IllegalArgumentException(this + " was given an input prepared for another kind of matrix: " + input.kind());
    }
    Objects.checkFromToIndex(rowFrom, rowTo, rows);
    Objects.checkFromToIndex(rowFrom, rowTo, out.length);
    decode(x, out, rowFrom, rowTo);
  }

  @Override
  public void matvecs(float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    checkProduct(x, batch, out, rowFrom, rowTo);
    matvecsPrepared(prepareInputs(x, batch), batch, out, rowFrom, rowTo);
  }

  /** Each vector quantized to the format's activations on its own, and prepared as {@link #prepareInput} prepares one. */
  @Override
  public QuantizedVectors prepareInputs(float[] x, int batch) {
    if (x.length < (long) batch * cols) {
      throw new IllegalArgumentException("input of " + x.length + " floats for " + batch + " vectors of " + this);
    }
    if (format.activationFormat() == ActivationFormat.Q8_K) {
      Q8KActivations[] inputs = new Q8KActivations[batch];
      for (int b = 0; b < batch; b++) {
        inputs[b] = new Q8KActivations(1, cols);
        kernels.quantize(x, b * cols, inputs[b], 0);
      }
      return new QuantizedVectors.Q8K(inputs);
    }
    Q8Activations[] inputs = new Q8Activations[batch];
    for (int b = 0; b < batch; b++) {
      inputs[b] = new Q8Activations(1, cols);
      kernels.quantize(x, b * cols, inputs[b], 0);
      kernels.prepare(format, inputs[b]);
    }
    return new QuantizedVectors.Q8(inputs);
  }

  @Override
  public void matvecsPrepared(PreparedInput input, int batch, float[] out, int rowFrom, int rowTo) {
    if (!(input instanceof QuantizedVectors xs) || xs.count() != batch || !xs.kind().equals(inputKind)) {
      throw new IllegalArgumentException(this + " was given an input prepared for another kind of matrix: " + input.kind());
    }
    Objects.checkFromToIndex(rowFrom, rowTo, rows);
    switch (xs) {
      case QuantizedVectors.Q8 q -> kernels.matvecs(format, data, rows, cols, q.vectors(), out, rowFrom, rowTo);
      case QuantizedVectors.Q8K q -> kernels.matvecs(format, data, rows, cols, q.vectors(), out, rowFrom, rowTo);
    }
  }

  @Override
  public void matmul(float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    checkProduct(x, batch, out, rowFrom, rowTo);
    if (batch >= TiledMatmul.MIN_BATCH) {
      TiledMatmul.matmul(format, data, rows, cols, x, batch, out, rowFrom, rowTo, kernels, KernelProvider.kernels());
    } else {
      prefill(quantizeInput(x, batch, null), out, rowFrom, rowTo);
    }
  }

  /** Rows {@code [rowFrom, rowTo)} of the product with vector 0 of {@code input}: the decode kernel of its activation format. */
  private void decode(QuantizedInput input, float[] out, int rowFrom, int rowTo) {
    switch (input) {
      case Q8Activations x -> kernels.matvec(format, data, cols, x, out, rowFrom, rowTo);
      case Q8KActivations x -> kernels.matvec(format, data, cols, x, out, rowFrom, rowTo);
    }
  }

  /** Rows {@code [rowFrom, rowTo)} of the product with every vector of {@code input}: the prefill kernel of its activation format. */
  private void prefill(QuantizedInput input, float[] out, int rowFrom, int rowTo) {
    switch (input) {
      case Q8Activations x -> kernels.matmul(format, data, rows, cols, x, out, rowFrom, rowTo);
      case Q8KActivations x -> kernels.matmul(format, data, rows, cols, x, out, rowFrom, rowTo);
    }
  }

  @Override
  public void matvec(float[] x, float[] out, Parallel parallel) {
    checkProduct(x, 1, out, 0, rows);
    QuantizedInput input = prepareInput(x);
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
    QuantizedInput input = quantizeInput(x, batch, parallel);
    parallel.forRange(rows, (from, to) -> prefill(input, out, from, to));
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

  /**
   * {@code batch} vectors of {@code x} quantized to the format's activations, split across {@code parallel}'s
   * threads when given.
   */
  private QuantizedInput quantizeInput(float[] x, int batch, Parallel parallel) {
    QuantizedInput input = format.activationFormat() == ActivationFormat.Q8_K ? new Q8KActivations(batch, cols) : new Q8Activations(batch, cols);
    if (parallel == null) {
      quantizeVectors(x, input, 0, batch);
    } else {
      parallel.forRange(batch, (from, to) -> quantizeVectors(x, input, from, to));
    }
    return input;
  }

  private void quantizeVectors(float[] x, QuantizedInput input, int from, int to) {
    for (int b = from; b < to; b++) {
      switch (input) {
        case Q8Activations q -> kernels.quantize(x, b * cols, q, b);
        case Q8KActivations q -> kernels.quantize(x, b * cols, q, b);
      }
    }
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
