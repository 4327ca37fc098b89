package tips.drain.lora;

import java.util.Objects;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.AdaptedMatrix;
import tips.drain.tensor.Matrix;

/**
 * A LoRA adapter applied at run time, as PEFT's {@code lora.Linear.forward} computes it:
 * {@code out = W·x + (B·(A·x)) * scale}. The base matrix is untouched (shared by any number of adapters); the
 * adapter adds {@code rank · (in + out)} multiply-adds per token. A row view ({@link #rowRange}) adapts a
 * row range of the base with the same rows of {@code B}, so fused projections split into views keep their
 * adapter.
 */
public final class LoraMatrix implements AdaptedMatrix {
  /** Per-thread scratch for {@code A·x}. */
  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[64]);

  private final Matrix base;
  private final LoraAdapter.Module lora;
  /** The row of {@code B} that row 0 of this matrix uses (non-zero for a row view). */
  private final int bRowOffset;
  private final Kernels kernels;

  public LoraMatrix(Matrix base, LoraAdapter.Module lora, Kernels kernels) {
    this(base, lora, 0, kernels);
  }

  private LoraMatrix(Matrix base, LoraAdapter.Module lora, int bRowOffset, Kernels kernels) {
    if (base.cols() != lora.in() || bRowOffset + base.rows() > lora.out()) {
      throw new IllegalArgumentException(lora.module() + ": adapter " + lora.out() + "x" + lora.in() + " over a "
          + base.rows() + "x" + base.cols() + " matrix at row " + bRowOffset);
    }
    this.base = base;
    this.lora = lora;
    this.bRowOffset = bRowOffset;
    this.kernels = Objects.requireNonNull(kernels);
  }

  @Override
  public Matrix base() {
    return base;
  }

  @Override
  public LoraMatrix withBase(Matrix newBase) {
    return new LoraMatrix(newBase, lora, bRowOffset, kernels);
  }

  public LoraAdapter.Module adapter() {
    return lora;
  }

  @Override
  public int rows() {
    return base.rows();
  }

  @Override
  public int cols() {
    return base.cols();
  }

  @Override
  public String format() {
    return base.format() + "+LoRA";
  }

  @Override
  public long byteSize() {
    return base.byteSize() + (long) lora.rank() * (lora.in() + rows()) * Float.BYTES;
  }

  @Override
  public void matvec(float[] x, float[] out, int rowFrom, int rowTo) {
    base.matvec(x, out, rowFrom, rowTo);
    float[] ax = scratch(lora.rank());
    project(x, 0, ax, 0);
    addUpdate(ax, 0, out, 0, rowFrom, rowTo);
  }

  @Override
  public void matmul(float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    base.matmul(x, batch, out, rowFrom, rowTo);
    int rank = lora.rank();
    float[] ax = scratch(batch * rank);
    for (int b = 0; b < batch; b++) {
      project(x, b * cols(), ax, b * rank);
      addUpdate(ax, b * rank, out, b * rows(), rowFrom, rowTo);
    }
  }

  /** The base's batch-invariant product plus each vector's update, computed as {@link #matvec} computes it. */
  @Override
  public void matvecs(float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    base.matvecs(x, batch, out, rowFrom, rowTo);
    int rank = lora.rank();
    float[] ax = scratch(batch * rank);
    for (int b = 0; b < batch; b++) {
      project(x, b * cols(), ax, b * rank);
      addUpdate(ax, b * rank, out, b * rows(), rowFrom, rowTo);
    }
  }

  /** {@code ax = A·x}. */
  private void project(float[] x, int xOff, float[] ax, int axOff) {
    int in = lora.in();
    for (int k = 0; k < lora.rank(); k++) {
      ax[axOff + k] = kernels.dot(lora.a(), k * in, x, xOff, in);
    }
  }

  /** {@code out[r] += (B[r]·ax) * scale} for the rows asked. */
  private void addUpdate(float[] ax, int axOff, float[] out, int outOff, int rowFrom, int rowTo) {
    int rank = lora.rank();
    for (int r = rowFrom; r < rowTo; r++) {
      out[outOff + r] += kernels.dot(lora.b(), (bRowOffset + r) * rank, ax, axOff, rank) * lora.scale();
    }
  }

  @Override
  public void readRow(int r, float[] dst, int dstOffset) {
    base.readRow(r, dst, dstOffset);
    float[] delta = new float[cols()];
    lora.deltaRow(bRowOffset + r, delta);
    for (int j = 0; j < delta.length; j++) {
      dst[dstOffset + j] += delta[j];
    }
  }

  @Override
  public LoraMatrix rowRange(int from, int to) {
    return new LoraMatrix(base.rowRange(from, to), lora, bRowOffset + from, kernels);
  }

  private static float[] scratch(int n) {
    float[] s = SCRATCH.get();
    if (s.length < n) {
      s = new float[Math.max(n, 2 * s.length)];
      SCRATCH.set(s);
    }
    return s;
  }

  @Override
  public String toString() {
    return "LoraMatrix[" + base + " + r" + lora.rank() + " " + lora.module() + "]";
  }
}
