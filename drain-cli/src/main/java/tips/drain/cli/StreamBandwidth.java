package tips.drain.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import tips.drain.util.Parallel;

/**
 * The machine's streaming read bandwidth, measured the way decode reads weights: every thread sums its share
 * of a buffer far larger than the caches. Reported so that decode speed can be judged against it.
 */
final class StreamBandwidth implements AutoCloseable {
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment buffer;
  private volatile long sink;

  StreamBandwidth(long bytes) {
    this.buffer = arena.allocate(bytes, 64);
    for (long i = 0; i < bytes; i += 8) {
      buffer.set(LONG, i, i);
    }
  }

  /** Best of {@code reps} full reads, in GB/s (10^9 bytes). */
  double measure(Parallel parallel, int reps) {
    MemorySegment global = buffer.asReadOnly();
    long longs = global.byteSize() / 8;
    double best = 0;
    for (int r = 0; r < reps; r++) {
      long[] partial = new long[parallel.threads() * 8];
      long t0 = System.nanoTime();
      parallel.forRange(parallel.threads(), (from, to) -> {
        for (int t = from; t < to; t++) {
          long start = longs * t / parallel.threads();
          long end = longs * (t + 1) / parallel.threads();
          partial[t * 8] = sum(global, start, end);
        }
      });
      long nanos = System.nanoTime() - t0;
      long total = 0;
      for (long p : partial) {
        total += p;
      }
      sink = total;
      best = Math.max(best, global.byteSize() / (double) nanos);
    }
    return best;
  }

  private static long sum(MemorySegment s, long from, long to) {
    long a = 0;
    long b = 0;
    long c = 0;
    long d = 0;
    long i = from;
    for (; i + 4 <= to; i += 4) {
      a += s.get(LONG, i * 8);
      b += s.get(LONG, i * 8 + 8);
      c += s.get(LONG, i * 8 + 16);
      d += s.get(LONG, i * 8 + 24);
    }
    for (; i < to; i++) {
      a += s.get(LONG, i * 8);
    }
    return a + b + c + d;
  }

  long sink() {
    return sink;
  }

  @Override
  public void close() {
    arena.close();
  }
}
