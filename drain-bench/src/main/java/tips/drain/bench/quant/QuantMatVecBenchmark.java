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
import tips.drain.bench.kernel.CpuTime;
import tips.drain.quant.QuantKernelProvider;
import tips.drain.quant.ScalarQuantKernels;
import tips.drain.tensor.Matrix;
import tips.drain.util.Parallel;

/**
 * Decode's matrix × vector product of Q8_0, Q4_0 and K-quant weights through the public API
 * ({@code Matrix.matvec(x, out, parallel)}: activations quantized once, rows split across the threads),
 * with core's BF16 {@code DenseMatrix} as the baseline of the same run. With {@code weightsFrom = memory} the
 * product cycles over copies that together dwarf the L3, so the weights come from memory; with
 * {@code weightsFrom = cache} it repeats one matrix, which stays in the caches (a 2048x2048 Q8_0 matrix is 4.5 MB),
 * so the rate is what the kernel computes when memory is not the limit. A format whose two rates are close
 * is compute-bound: faster memory will not make it faster.
 *
 * <p>Read the {@code gigabytes} secondary result: GB of weights read per second (shown as {@code ops/s}).
 * On a shared machine, with one thread, {@code gigabytes / cpuSeconds} of an iteration (both are totals,
 * {@code cpuSeconds} the benchmark thread's CPU time) is the rate per core with other processes' time slices
 * left out.
 * Decode speed is bytes per token over that rate, so Q8_0 is faster than BF16 by
 * {@code (GB/s of Q8_0 / GB/s of BF16) · (2 / 1.0625)} and Q4_0 by {@code (…) · (2 / 0.5625)}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class QuantMatVecBenchmark {
  @Param({"BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
  public String format;

  /** rows x cols: TinyLlama's q/o (2048x2048), gate/up (5632x2048), down (2048x5632). */
  @Param({"2048x2048", "5632x2048", "2048x5632"})
  public String shape;

  @Param({"2"})
  public int threads;

  /** {@code memory}: weights streamed from DRAM; {@code cache}: one matrix, read from the caches. */
  @Param({"memory", "cache"})
  public String weightsFrom;

  private QuantWeights weights;
  private Matrix[] copies;
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
    int[] rc = QuantWeights.shape(shape);
    weights = new QuantWeights();
    Matrix matrix = weights.random(format, rc[0], rc[1], 42, QuantKernelProvider.kernels());
    copies = switch (weightsFrom) {
      case "memory" -> weights.copies(matrix);
      case "cache" -> new Matrix[] {matrix};
      default -> throw new IllegalArgumentException("weightsFrom is memory or cache, not " + weightsFrom);
    };
    x = QuantWeights.activations(rc[1], 7);
    out = new float[rc[0]];
    parallel = new Parallel(threads);
    // check once: the quantized kernels against the scalar ones on the same weights
    if (!format.equals("BF16")) {
      float[] want = new float[rc[0]];
      try (QuantWeights reference = new QuantWeights()) {
        reference.random(format, rc[0], rc[1], 42, new ScalarQuantKernels()).matvec(x, want, 0, rc[0]);
      }
      copies[copies.length - 1].matvec(x, out, parallel);
      QuantWeights.check(QuantKernelProvider.kernels().name() + " matvec " + format + " " + shape, want, out);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    parallel.close();
    weights.close();
  }

  @Benchmark
  public float matvec(Bytes bytes, CpuTime cpu) {
    Matrix m = copies[next];
    next = next + 1 == copies.length ? 0 : next + 1;
    m.matvec(x, out, parallel);
    bytes.gigabytes += m.byteSize() * 1e-9;
    return out[0];
  }
}
