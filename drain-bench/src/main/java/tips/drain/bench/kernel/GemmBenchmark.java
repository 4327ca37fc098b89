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
 * Prefill's matrix × matrix product through the public API ({@code Matrix.matmul(x, batch, out, parallel)}):
 * {@code batch} tokens at once. Read the {@code gflops} secondary result: GFLOP/s, counting
 * {@code 2·rows·cols·batch} FLOP per product (its unit shows as {@code ops/s}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBenchmark {
  @Param({"BF16", "F16", "F32"})
  public DType dtype;

  @Param({"2048x2048", "5632x2048", "2048x5632", "4096x4096"})
  public String shape;

  @Param({"128"})
  public int batch;

  @Param({"1", "2"})
  public int threads;

  private WeightMatrices weights;
  private DenseMatrix matrix;
  private float[] x;
  private float[] out;
  private Parallel parallel;

  /** FLOP done, as a rate: the secondary result {@code gflops} is GFLOP/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Flops {
    public double gflops;

    @Setup(Level.Iteration)
    public void reset() {
      gflops = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    int[] rc = WeightMatrices.shape(shape);
    Kernels kernels = KernelProvider.kernels();
    weights = new WeightMatrices();
    matrix = weights.random(dtype, rc[0], rc[1], kernels, 42);
    x = WeightMatrices.activations(batch * rc[1], 7);
    out = new float[batch * rc[0]];
    parallel = new Parallel(threads);
    // check once: the kernel under test against the scalar reference
    float[] want = new float[batch * rc[0]];
    new ScalarKernels().matmul(dtype, matrix.data(), rc[0], rc[1], x, batch, want, 0, rc[0]);
    matrix.matmul(x, batch, out, parallel);
    WeightMatrices.check(kernels.name() + " matmul " + dtype + " " + shape + " batch " + batch, want, out);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    parallel.close();
    weights.close();
  }

  private float matmul(Flops flops) {
    matrix.matmul(x, batch, out, parallel);
    flops.gflops += 2e-9 * matrix.rows() * matrix.cols() * batch;
    return out[0];
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
  public float gemmVector(Flops flops, CpuTime cpu) {
    return matmul(flops);
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"-Ddrain.kernels=scalar", "-Xmx2g"})
  public float gemmScalar(Flops flops, CpuTime cpu) {
    return matmul(flops);
  }
}
