package tips.drain.tensor;

import java.util.Objects;
import tips.drain.util.Parallel;

/**
 * Several matrices applied to one input vector in a single parallel region: decode's q, k and v
 * projections, or the gate and up projections. Their rows form one range that the threads split, so the
 * region's fork and join are paid once instead of once per matrix, and the input is prepared once
 * ({@link Matrix#prepareInput}: quantized to 8-bit blocks for drain-quant's matrices) for all matrices of
 * one kind. The matrices and outputs are fixed when the group is made (a model's layer owns its groups).
 */
public final class MatrixGroup {
  private final Matrix[] matrices;
  /** {@code starts[i]}: the first row of matrix {@code i} in the group's range; {@code starts[n]}: all rows. */
  private final int[] starts;
  /** {@code shared[i]}: the matrix whose prepared input matrix {@code i} reads ({@code i} itself if none before). */
  private final int[] shared;
  private final long work;

  public MatrixGroup(Matrix... matrices) {
    if (matrices.length == 0) {
      throw new IllegalArgumentException("a matrix group needs at least one matrix");
    }
    this.matrices = matrices.clone();
    this.starts = new int[matrices.length + 1];
    this.shared = new int[matrices.length];
    long work = 0;
    for (int i = 0; i < matrices.length; i++) {
      Matrix m = Objects.requireNonNull(matrices[i]);
      if (m.cols() != matrices[0].cols()) {
        throw new IllegalArgumentException("matrices of one group share their input: " + m + " has " + m.cols()
            + " columns, " + matrices[0] + " has " + matrices[0].cols());
      }
      starts[i + 1] = Math.addExact(starts[i], m.rows());
      shared[i] = i;
      for (int j = 0; j < i; j++) {
        if (matrices[j].inputKind().equals(m.inputKind())) {
          shared[i] = j;
          break;
        }
      }
      work += (long) m.rows() * m.cols();
    }
    this.work = work;
  }

  /**
   * {@code outs[i] = matrices[i] · x} for every matrix of the group, rows split across the threads of
   * {@code parallel} (or on the calling thread when the whole group is small).
   */
  public void matvec(float[] x, float[][] outs, Parallel parallel) {
    if (outs.length != matrices.length) {
      throw new IllegalArgumentException(outs.length + " outputs for a group of " + matrices.length + " matrices");
    }
    PreparedInput[] inputs = new PreparedInput[matrices.length];
    for (int i = 0; i < matrices.length; i++) {
      inputs[i] = shared[i] == i ? matrices[i].prepareInput(x) : inputs[shared[i]];
    }
    if (work < Matrix.MIN_PARALLEL_WORK) {
      run(inputs, outs, 0, starts[matrices.length]);
    } else {
      parallel.forRange(starts[matrices.length], (from, to) -> run(inputs, outs, from, to));
    }
  }

  /**
   * {@code outs[i] = matrices[i] · x_b} for {@code batch} vectors, batch-invariant ({@link Matrix#matvecs}): one
   * parallel region, each input prepared once per kind.
   */
  public void matvecs(float[] x, int batch, float[][] outs, Parallel parallel) {
    if (batch == 1) {
      matvec(x, outs, parallel);
      return;
    }
    if (outs.length != matrices.length) {
      throw new IllegalArgumentException(outs.length + " outputs for a group of " + matrices.length + " matrices");
    }
    PreparedInput[] inputs = new PreparedInput[matrices.length];
    for (int i = 0; i < matrices.length; i++) {
      inputs[i] = shared[i] == i ? matrices[i].prepareInputs(x, batch) : inputs[shared[i]];
    }
    if (work * batch < Matrix.MIN_PARALLEL_WORK) {
      runBatch(inputs, batch, outs, 0, starts[matrices.length]);
    } else {
      parallel.forRange(starts[matrices.length], (from, to) -> runBatch(inputs, batch, outs, from, to));
    }
  }

  private void runBatch(PreparedInput[] inputs, int batch, float[][] outs, int from, int to) {
    for (int i = 0; i < matrices.length; i++) {
      int lo = Math.max(from, starts[i]);
      int hi = Math.min(to, starts[i + 1]);
      if (lo < hi) {
        matrices[i].matvecsPrepared(inputs[i], batch, outs[i], lo - starts[i], hi - starts[i]);
      }
    }
  }

  /** The group's rows {@code [from, to)}: the part of each matrix that falls inside. */
  private void run(PreparedInput[] inputs, float[][] outs, int from, int to) {
    for (int i = 0; i < matrices.length; i++) {
      int lo = Math.max(from, starts[i]);
      int hi = Math.min(to, starts[i + 1]);
      if (lo < hi) {
        matrices[i].matvecPrepared(inputs[i], outs[i], lo - starts[i], hi - starts[i]);
      }
    }
  }
}
