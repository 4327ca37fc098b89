package tips.drain.tensor;

import tips.drain.util.Parallel;

/**
 * A weight matrix of {@code rows × cols} (out features × in features, the layout of a PyTorch
 * {@code nn.Linear} weight), in whatever storage format: dense F32/F16/BF16 over a memory-mapped file, or
 * a quantized block format from drain-quant. Activations are always F32 {@code float[]}.
 *
 * <p>Implementations are immutable and safe to share between threads and sessions.
 */
public interface Matrix {

  /** Output features: the length of {@code W·x}. */
  int rows();

  /** Input features: the length of {@code x}. */
  int cols();

  /** The storage format, e.g. {@code "F32"}, {@code "BF16"}, {@code "Q8_0"}. */
  String format();

  /** Bytes of weights, i.e. what one full matrix-vector product reads from memory. */
  long byteSize();

  /**
   * {@code out[r] = row(r) · x} for {@code rowFrom <= r < rowTo}. {@code x} has {@link #cols()} elements
   * starting at 0; {@code out} is indexed by row.
   */
  void matvec(float[] x, float[] out, int rowFrom, int rowTo);

  /**
   * {@code x} in the form this matrix's products read it, made once for several products with the same
   * input ({@link MatrixGroup}): drain-quant's matrices quantize it to 8-bit blocks; dense ones read
   * {@code x} itself (the default).
   */
  default PreparedInput prepareInput(float[] x) {
    return new FloatInput(x, cols());
  }

  /**
   * Matrices with equal kinds read the same prepared input, so a {@link MatrixGroup} prepares it once for
   * them. By default the floats as they are.
   */
  default InputKind inputKind() {
    return FloatInput.kind(cols());
  }

  /**
   * {@link #matvec(float[], float[], int, int)} from an input made by {@link #prepareInput} of a matrix of the
   * same {@link #inputKind()}.
   *
   * @throws IllegalArgumentException if the input is of another kind
   */
  default void matvecPrepared(PreparedInput input, float[] out, int rowFrom, int rowTo) {
    matvec(FloatInput.of(input, this), out, rowFrom, rowTo);
  }

  /**
   * The batch-invariant product of a few vectors (a decode step of several sequences):
   * {@code out[b * rows + r] = row(r) · x[b * cols ...]} for every {@code b < batch} and {@code rowFrom <= r < rowTo},
   * each summed exactly as {@link #matvec(float[], float[], int, int)} sums that vector alone, so a token's result
   * does not depend on what it is batched with. Implementations read each row once for all vectors; this default
   * runs {@link #matvec} once per vector.
   */
  default void matvecs(float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    float[] one = new float[cols()];
    float[] result = new float[rowTo];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(x, b * cols(), one, 0, cols());
      matvec(one, result, rowFrom, rowTo);
      System.arraycopy(result, rowFrom, out, b * rows() + rowFrom, rowTo - rowFrom);
    }
  }

  /**
   * {@code batch} vectors of {@code x} in the form {@link #matvecsPrepared} reads, made once for a {@link MatrixGroup}
   * (for every matrix of the same {@link #inputKind()}). By default the floats as they are.
   */
  default PreparedInput prepareInputs(float[] x, int batch) {
    if (x.length < (long) batch * cols()) {
      throw new IllegalArgumentException("input of " + x.length + " floats for " + batch + " vectors of " + this);
    }
    return new FloatInput(x, cols());
  }

  /**
   * {@link #matvecs(float[], int, float[], int, int)} from an input made by {@link #prepareInputs} of a matrix of
   * the same {@link #inputKind()}.
   *
   * @throws IllegalArgumentException if the input is of another kind
   */
  default void matvecsPrepared(PreparedInput input, int batch, float[] out, int rowFrom, int rowTo) {
    matvecs(FloatInput.of(input, this), batch, out, rowFrom, rowTo);
  }

  /** The whole batch-invariant product, rows split across the threads of {@code parallel}. */
  default void matvecs(float[] x, int batch, float[] out, Parallel parallel) {
    PreparedInput input = prepareInputs(x, batch);
    if ((long) rows() * cols() * batch < MIN_PARALLEL_WORK) {
      matvecsPrepared(input, batch, out, 0, rows());
      return;
    }
    parallel.forRange(rows(), (from, to) -> matvecsPrepared(input, batch, out, from, to));
  }

  /**
   * Batched product for prefill: {@code out[b * rows + r] = row(r) · x[b * cols ...]} for every
   * {@code b < batch} and {@code rowFrom <= r < rowTo}.
   */
  void matmul(float[] x, int batch, float[] out, int rowFrom, int rowTo);

  /** Copies row {@code r}, converted to float, into {@code dst[dstOffset .. dstOffset + cols)}. */
  void readRow(int r, float[] dst, int dstOffset);

  /**
   * Multiply-adds below which a product runs on the calling thread alone: waking another thread costs more
   * than such a product (tiny models run several times faster single-threaded).
   */
  long MIN_PARALLEL_WORK = 1L << 16;

  /**
   * Rows per chunk of a batched product, when there are enough: long chunks (one per thread on small
   * machines) keep the GEMM's weight panels and transposed activations in use the longest.
   */
  int MIN_BATCHED_ROWS = 1024;

  /** The whole product {@code out = W·x}, rows split across the threads of {@code parallel}. */
  default void matvec(float[] x, float[] out, Parallel parallel) {
    if ((long) rows() * cols() < MIN_PARALLEL_WORK) {
      matvec(x, out, 0, rows());
      return;
    }
    parallel.forRange(rows(), (from, to) -> matvec(x, out, from, to));
  }

  /** The whole batched product, rows split across the threads of {@code parallel}. */
  default void matmul(float[] x, int batch, float[] out, Parallel parallel) {
    if (batch == 1) {
      matvec(x, out, parallel);
      return;
    }
    if ((long) rows() * cols() * batch < MIN_PARALLEL_WORK) {
      matmul(x, batch, out, 0, rows());
      return;
    }
    parallel.forRange(rows(), MIN_BATCHED_ROWS, (from, to) -> matmul(x, batch, out, from, to));
  }

  /**
   * Rows {@code [from, to)} as a matrix of their own, sharing this one's storage (no copy): e.g. the q, k and v
   * parts of Phi-3's fused {@code qkv_proj}. Row {@code r} of the view is row {@code from + r} of this matrix.
   *
   * @throws UnsupportedOperationException if this storage format cannot be viewed by rows
   */
  default Matrix rowRange(int from, int to) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " (" + format() + ") has no row views");
  }
}
