package tips.drain.bench.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import tips.drain.kernel.KernelProvider;
import tips.drain.quant.BlockMatrix;
import tips.drain.quant.QuantFormat;
import tips.drain.quant.QuantKernelProvider;
import tips.drain.quant.QuantKernels;
import tips.drain.tensor.DType;
import tips.drain.tensor.DenseMatrix;
import tips.drain.tensor.Floats;
import tips.drain.tensor.Matrix;
import tips.drain.util.Parallel;

/**
 * Weight matrices for the quantized benchmarks: random Gaussian weights as BF16 (the baseline, core's
 * {@link DenseMatrix} with {@link KernelProvider#kernels()}) or quantized to a block format, and enough
 * copies of the same bytes that one pass over all of them (256 MB or more) comes from memory, not the L3.
 */
final class QuantWeights implements AutoCloseable {
  /** Bytes all copies add up to, far beyond a 32 MB L3. */
  static final long WORKING_SET = 256L << 20;
  private final Arena arena = Arena.ofShared();

  /** {@code "5632x2048"} as {rows, cols}. */
  static int[] shape(String shape) {
    String[] parts = shape.split("x");
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
  }

  /** {@code "BF16"} or a block format ({@code "Q8_0"}, {@code "Q4_K"}, ...): one matrix of random weights in that format. */
  Matrix random(String format, int rows, int cols, long seed, QuantKernels quantKernels) {
    MemorySegment bf16 = arena.allocate((long) rows * cols * 2, 64);
    Random rnd = new Random(seed);
    for (long i = 0; i < (long) rows * cols; i++) {
      bf16.setAtIndex(ValueLayout.JAVA_SHORT, i, Floats.floatToBf16((float) (rnd.nextGaussian() * 0.02)));
    }
    DenseMatrix dense = new DenseMatrix(bf16, DType.BF16, rows, cols, KernelProvider.kernels());
    if (format.equals("BF16")) {
      return dense;
    }
    QuantFormat q = QuantFormat.byName(format).orElseThrow(() -> new IllegalArgumentException("no format " + format));
    try (Parallel parallel = new Parallel(Runtime.getRuntime().availableProcessors())) {
      BlockMatrix m = BlockMatrix.quantize(q, dense, parallel, quantKernels);
      MemorySegment data = arena.allocate(m.byteSize(), 64);
      data.copyFrom(m.data());
      return new BlockMatrix(q, data, rows, cols, quantKernels);
    }
  }

  /** Copies of {@code m} (itself first) whose bytes add up to {@link #WORKING_SET} or more. */
  Matrix[] copies(Matrix m) {
    int n = (int) Math.max(2, (WORKING_SET + m.byteSize() - 1) / m.byteSize());
    Matrix[] copies = new Matrix[n];
    copies[0] = m;
    for (int i = 1; i < n; i++) {
      copies[i] = copy(m);
    }
    return copies;
  }

  private Matrix copy(Matrix m) {
    if (m instanceof DenseMatrix d) {
      MemorySegment data = arena.allocate(d.byteSize(), 64);
      data.copyFrom(d.data());
      return new DenseMatrix(data, d.dtype(), d.rows(), d.cols(), KernelProvider.kernels());
    }
    BlockMatrix b = (BlockMatrix) m;
    MemorySegment data = arena.allocate(b.byteSize(), 64);
    data.copyFrom(b.data());
    return new BlockMatrix(b.quantFormat(), data, b.rows(), b.cols(), QuantKernelProvider.kernels());
  }

  /** {@code n} activations, Gaussian. */
  static float[] activations(int n, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  /** Fails the benchmark if {@code got} strays from {@code want} by more than 1e-3 of the largest output. */
  static void check(String what, float[] want, float[] got) {
    float max = 0f;
    for (float v : want) {
      max = Math.max(max, Math.abs(v));
    }
    for (int i = 0; i < want.length; i++) {
      if (!(Math.abs(want[i] - got[i]) <= 1e-3f * max)) {
        throw new IllegalStateException(what + ": output " + i + " is " + got[i] + ", the reference says " + want[i]);
      }
    }
  }

  @Override
  public void close() {
    arena.close();
  }
}
