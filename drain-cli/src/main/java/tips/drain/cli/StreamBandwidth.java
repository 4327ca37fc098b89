package tips.drain.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import tips.drain.kernel.KernelProvider;
import tips.drain.tensor.DType;
import tips.drain.tensor.DenseMatrix;
import tips.drain.util.Parallel;

/**
 * The machine's streaming read bandwidth, measured the way decode reads weights: an F32 matrix of 1 GiB, far
 * larger than the caches, multiplied by a vector with the same threads (each thread streams its rows once).
 * With the Vector API kernels this reaches the memory limit (as a C read loop does); decode speed is judged
 * against the median of several reads (on a shared machine single reads stray by a factor of two both ways).
 */
final class StreamBandwidth implements AutoCloseable {
  private static final int COLS = 4096;
  private final Arena arena = Arena.ofShared();
  private final DenseMatrix matrix;
  private final float[] x = new float[COLS];
  private final float[] out;

  StreamBandwidth(long bytes) {
    int rows = (int) (bytes / (4L * COLS));
    MemorySegment data = arena.allocate((long) rows * COLS * 4, 64);
    for (long i = 0; i < data.byteSize(); i += 4) {
      data.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (i & 0xFFFF) * 1e-6f);
    }
    this.matrix = new DenseMatrix(data, DType.F32, rows, COLS, KernelProvider.kernels());
    this.out = new float[rows];
    java.util.Arrays.fill(x, 1f);
  }

  /**
   * {@code reps} full reads, each in GB/s (10^9 bytes), after reading a 4 MiB slice until the F32 kernel is
   * compiled (a model in another format never ran it; a cold kernel read 2x slower).
   */
  double[] reads(Parallel parallel, int reps) {
    DenseMatrix warm = matrix.rowRange(0, Math.min(matrix.rows(), 256));
    float[] warmOut = new float[warm.rows()];
    for (int i = 0; i < 400; i++) {
      warm.matvec(x, warmOut, parallel);
    }
    double[] reads = new double[reps];
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      matrix.matvec(x, out, parallel);
      long nanos = System.nanoTime() - t0;
      reads[r] = matrix.byteSize() / (double) nanos;
    }
    return reads;
  }

  @Override
  public void close() {
    arena.close();
  }
}
