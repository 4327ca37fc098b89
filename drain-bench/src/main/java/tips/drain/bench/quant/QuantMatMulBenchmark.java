package tips.drain.bench.quant;

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
import tips.drain.quant.QuantKernelProvider;
import tips.drain.quant.ScalarQuantKernels;
import tips.drain.tensor.Matrix;
import tips.drain.util.Parallel;

/**
 * Prefill's matrix × matrix product of Q8_0, Q4_0 and K-quant weights with a batch of tokens through the public
 * API ({@code Matrix.matmul(x, batch, out, parallel)}: rows split across the threads, each dequantizing a
 * tile of rows at a time for core's F32 GEMM; {@code -Ddrain.quant.tiledMinBatch=1000} on the fork line
 * measures the integer kernels instead), with core's BF16 {@code DenseMatrix} as the baseline of the same
 * run.
 *
 * <p>Read the {@code gigaops} secondary result: 2·rows·cols·batch operations (a multiply and an add per
 * weight and token) per second, in billions (shown as {@code ops/s}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class QuantMatMulBenchmark {
  @Param({"BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
  public String format;

  /** rows x cols: TinyLlama's q/o (2048x2048), gate/up (5632x2048), down (2048x5632). */
  @Param({"2048x2048", "5632x2048", "2048x5632"})
  public String shape;

  /** Tokens per product: llama-bench's pp128. */
  @Param({"128"})
  public int batch;

  @Param({"2"})
  public int threads;

  private QuantWeights weights;
  private Matrix matrix;
  private float[] x;
  private float[] out;
  private Parallel parallel;

  /** Operations done, as a rate: the secondary result {@code gigaops} is GOP/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Ops {
    public double gigaops;

    @Setup(Level.Iteration)
    public void reset() {
      gigaops = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    int[] rc = QuantWeights.shape(shape);
    weights = new QuantWeights();
    matrix = weights.random(format, rc[0], rc[1], 42, QuantKernelProvider.kernels());
    x = QuantWeights.activations(batch * rc[1], 7);
    out = new float[batch * rc[0]];
    parallel = new Parallel(threads);
    // check once, on the first few tokens: the quantized kernels against the scalar ones
    if (!format.equals("BF16")) {
      int few = Math.min(batch, 6);
      float[] want = new float[few * rc[0]];
      float[] got = new float[few * rc[0]];
      try (QuantWeights reference = new QuantWeights()) {
        reference.random(format, rc[0], rc[1], 42, new ScalarQuantKernels()).matmul(x, few, want, 0, rc[0]);
      }
      matrix.matmul(x, few, got, parallel);
      QuantWeights.check(QuantKernelProvider.kernels().name() + " matmul " + format + " " + shape, want, got);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    parallel.close();
    weights.close();
  }

  @Benchmark
  public float matmul(Ops ops) {
    matrix.matmul(x, batch, out, parallel);
    ops.gigaops += 2e-9 * matrix.rows() * matrix.cols() * batch;
    return out[0];
  }
}
