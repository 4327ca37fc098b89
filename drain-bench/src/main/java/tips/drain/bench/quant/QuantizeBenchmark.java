package tips.drain.bench.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
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
import tips.drain.quant.BlockMatrix;
import tips.drain.quant.QuantFormat;
import tips.drain.quant.QuantKernelProvider;
import tips.drain.tensor.Matrix;
import tips.drain.util.Parallel;

/**
 * Quantizing a BF16 matrix on load, milliseconds per TinyLlama FFN matrix: the work of
 * {@code MatrixFormat.quantize(source, parallel)}, here into the same preallocated memory each time. TinyLlama-1.1B has 1.1e9 weights, 95.5 times this matrix's 11.5e6, so the whole
 * model takes about {@code 0.0955 ×} this score in seconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class QuantizeBenchmark {
  @Param({"Q8_0", "Q4_0"})
  public String format;

  @Param({"2048x5632"})
  public String shape;

  @Param({"2"})
  public int threads;

  private QuantWeights weights;
  private Matrix source;
  private QuantFormat target;
  private MemorySegment into;
  private Parallel parallel;

  @Setup(Level.Trial)
  public void setUp() {
    int[] rc = QuantWeights.shape(shape);
    weights = new QuantWeights();
    source = weights.random("BF16", rc[0], rc[1], 42, QuantKernelProvider.kernels());
    target = QuantFormat.byName(format).orElseThrow();
    into = Arena.ofAuto().allocate(target.byteSize(rc[0], rc[1]), 64);
    parallel = new Parallel(threads);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    parallel.close();
    weights.close();
  }

  @Benchmark
  public Matrix quantize() {
    return BlockMatrix.quantize(target, source, into, parallel, QuantKernelProvider.kernels());
  }
}
