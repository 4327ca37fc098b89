package tips.drain.bench.kernel;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tips.drain.kernel.KernelProvider;
import tips.drain.kernel.Kernels;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.DType;
import tips.drain.tensor.DenseMatrix;
import tips.drain.util.Parallel;

/**
 * Decode's matrix × vector product through the public API ({@code Matrix.matvec(x, out, parallel)}),
 * cycling over copies of the matrix that together dwarf the L3, so weights come from memory.
 *
 * <p>Read the {@code gigabytes} secondary result: GB of weights read per second (its unit shows as
 * {@code ops/s}). Compare it with {@link StreamReadBenchmark} of the same run and thread count. The
 * {@code Vector}/{@code Scalar} pair runs the same code and differs only in the fork flags. On a shared
 * machine, with one thread, read {@code gigabytes / cpuSeconds} (see {@link CpuTime}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatVecBenchmark {
  @Param({"BF16", "F16", "F32"})
  public DType dtype;

  /** rows x cols: TinyLlama's q/o (2048x2048), gate/up (5632x2048), down (2048x5632); Llama 7B/8B's. */
  @Param({"2048x2048", "5632x2048", "2048x5632", "4096x4096", "11008x4096", "14336x4096"})
  public String shape;

  @Param({"1", "2"})
  public int threads;

  private WeightMatrices weights;
  private DenseMatrix[] copies;
  private float[] x;
  private float[] out;
  private Parallel parallel;
  private int next;

  /** GB of weights read, as a rate: the secondary result {@code gigabytes} is GB/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    public double gigabytes;

    @Setup(Level.Iteration)
    public void reset() {
      gigabytes = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    int[] rc = WeightMatrices.shape(shape);
    Kernels kernels = KernelProvider.kernels();
    weights = new WeightMatrices();
    DenseMatrix original = weights.random(dtype, rc[0], rc[1], kernels, 42);
    copies = weights.copies(original, kernels);
    x = WeightMatrices.activations(rc[1], 7);
    out = new float[rc[0]];
    parallel = new Parallel(threads);
    // check once: the kernel under test against the scalar reference
    float[] want = new float[rc[0]];
    new ScalarKernels().matvec(dtype, original.data(), rc[1], x, want, 0, rc[0]);
    copies[copies.length - 1].matvec(x, out, parallel);
    WeightMatrices.check(kernels.name() + " matvec " + dtype + " " + shape, want, out);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    parallel.close();
    weights.close();
  }

  private float matvec(Bytes bytes) {
    DenseMatrix m = copies[next];
    next = next + 1 == copies.length ? 0 : next + 1;
    m.matvec(x, out, parallel);
    bytes.gigabytes += m.byteSize() * 1e-9;
    return out[0];
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
  public float matvecVector(Bytes bytes, CpuTime cpu) {
    return matvec(bytes);
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"-Ddrain.kernels=scalar", "-Xmx2g"})
  public float matvecScalar(Bytes bytes, CpuTime cpu) {
    return matvec(bytes);
  }
}
