package tips.drain.bench.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.DType;
import tips.drain.tensor.DenseMatrix;
import tips.drain.tensor.Floats;

/**
 * Random weight matrices for the kernel benchmarks: N(0, 0.02) values like a trained model's, stored off
 * heap in the given dtype. {@link #copies} makes enough copies that one pass over all of them is far
 * larger than the last-level cache, so a matrix × vector product reads its weights from memory as in
 * decode, where every layer's weights are different.
 */
final class WeightMatrices implements AutoCloseable {
  /** Bytes the copies add up to at least: 12× this machine's 32 MiB L3. */
  static final long STREAM_BYTES = 384L << 20;

  private final Arena arena = Arena.ofShared();

  /** {@code "5632x2048"} → {5632, 2048} (rows × cols, out × in as in a PyTorch Linear weight). */
  static int[] shape(String shape) {
    String[] parts = shape.split("x");
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
  }

  /** One random matrix. */
  DenseMatrix random(DType type, int rows, int cols, Kernels kernels, long seed) {
    long n = (long) rows * cols;
    MemorySegment w = arena.allocate(n * type.bytes(), 64);
    SplittableRandom rnd = new SplittableRandom(seed);
    for (long i = 0; i < n; i++) {
      float v = (float) (rnd.nextGaussian() * 0.02);
      switch (type) {
        case F32 -> w.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
        case BF16 -> w.setAtIndex(ValueLayout.JAVA_SHORT, i, Floats.floatToBf16(v));
        case F16 -> w.setAtIndex(ValueLayout.JAVA_SHORT, i, Floats.floatToF16(v));
        default -> throw new IllegalArgumentException("no dense matrices of " + type);
      }
    }
    return new DenseMatrix(w, type, rows, cols, kernels);
  }

  /** {@code original} followed by byte-for-byte copies, together at least {@link #STREAM_BYTES}. */
  DenseMatrix[] copies(DenseMatrix original, Kernels kernels) {
    int count = (int) Math.max(2, (STREAM_BYTES + original.byteSize() - 1) / original.byteSize());
    DenseMatrix[] copies = new DenseMatrix[count];
    copies[0] = original;
    for (int i = 1; i < count; i++) {
      MemorySegment w = arena.allocate(original.byteSize(), 64);
      MemorySegment.copy(original.data(), 0, w, 0, original.byteSize());
      copies[i] = new DenseMatrix(w, original.dtype(), original.rows(), original.cols(), kernels);
    }
    return copies;
  }

  static float[] activations(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  /** Fails the benchmark when {@code got} differs from the scalar reference {@code want} beyond float rounding. */
  static void check(String what, float[] want, float[] got) {
    double scale = 0;
    for (float v : want) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < want.length; i++) {
      if (!(Math.abs(want[i] - got[i]) <= 1e-3 * scale + 1e-6)) {
        throw new IllegalStateException(what + ": output " + i + " is " + got[i] + ", the scalar reference says " + want[i]);
      }
    }
  }

  @Override
  public void close() {
    arena.close();
  }
}
