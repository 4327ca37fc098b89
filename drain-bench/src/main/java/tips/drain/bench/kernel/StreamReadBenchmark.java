package tips.drain.bench.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
import tips.drain.bench.kernel.panama.StreamRead;
import tips.drain.util.Parallel;

/**
 * The machine's streaming read bandwidth, measured beside {@link MatVecBenchmark} in the same run: a
 * vectorized F32 sum over an off-heap buffer of {@link WeightMatrices#STREAM_BYTES}, split over the
 * same {@link Parallel} threads. Its {@code gigabytes} secondary result (GB/s) is the 100 % line for
 * matrix × vector products.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class StreamReadBenchmark {
  @Param({"1", "2"})
  public int threads;

  private Arena arena;
  private MemorySegment buffer;
  private Parallel parallel;
  private float[] partial;

  /** GB read, as a rate: the secondary result {@code gigabytes} is GB/s. */
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
    arena = Arena.ofShared();
    buffer = arena.allocate(WeightMatrices.STREAM_BYTES, 64);
    for (long i = 0; i < buffer.byteSize() / 4; i++) {
      buffer.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i & 1023) * 0.5f);
    }
    parallel = new Parallel(threads);
    partial = new float[threads];
    float sum = sum();
    double want = (buffer.byteSize() / 4 / 1024) * (1023 * 1024 / 2 * 0.5);
    if (Math.abs(sum - want) > 1e-3 * want) {
      throw new IllegalStateException("stream sum " + sum + ", expected about " + want);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    parallel.close();
    arena.close();
  }

  private float sum() {
    long granules = buffer.byteSize() / StreamRead.granule();
    parallel.forRange(threads, (from, to) -> {
      for (int t = from; t < to; t++) {
        long start = granules * t / threads * StreamRead.granule();
        long end = granules * (t + 1) / threads * StreamRead.granule();
        partial[t] = StreamRead.sum(buffer, start, end);
      }
    });
    float sum = 0;
    for (float p : partial) {
      sum += p;
    }
    return sum;
  }

  @Benchmark
  public float streamRead(Bytes bytes, CpuTime cpu) {
    float sum = sum();
    bytes.gigabytes += buffer.byteSize() * 1e-9;
    return sum;
  }
}
