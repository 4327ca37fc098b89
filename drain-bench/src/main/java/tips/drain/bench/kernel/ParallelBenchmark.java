package tips.drain.bench.kernel;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tips.drain.util.Parallel;

/**
 * The cost of one parallel region of {@link Parallel#forRange} (a forward pass opens ~150 per token):
 * an almost empty task over 2048 rows, back to back, in microseconds per region.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ParallelBenchmark {
  @Param({"1", "2"})
  public int threads;

  private Parallel parallel;
  private final float[] out = new float[2048];

  @Setup
  public void setUp() {
    parallel = new Parallel(threads);
  }

  @TearDown
  public void tearDown() {
    parallel.close();
  }

  @Benchmark
  public float emptyRegion() {
    parallel.forRange(out.length, (from, to) -> out[from] += 1f);
    return out[0];
  }
}
