package tips.drain.testing;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread allocates on the Java heap, from HotSpot's per-thread counter
 * ({@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}): for tests that a hot path allocates
 * nothing once warmed up.
 *
 * <pre>{@code
 * long bytes = Allocations.afterWarmUp(100, 1000, () -> sampler.sample(logits, vocab, history, n));
 * assertEquals(0, bytes);
 * }</pre>
 */
public final class Allocations {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  /** Bytes allocated by this thread while {@code work} runs once. */
  public static long of(Runnable work) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    work.run();
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }

  /**
   * Runs {@code work} {@code warmUp} times (buffers sized, classes loaded), then returns the bytes this thread
   * allocated over {@code runs} runs: the least of three such measurements, so that a one-off of the JVM (the
   * first measured loop can be compiled on stack, which allocates) is not taken for the work's own. Work that
   * allocates on every run allocates in all three.
   */
  public static long afterWarmUp(int warmUp, int runs, Runnable work) {
    for (int i = 0; i < warmUp; i++) {
      work.run();
    }
    long least = Long.MAX_VALUE;
    for (int attempt = 0; attempt < 3; attempt++) {
      least = Math.min(least, of(() -> {
        for (int i = 0; i < runs; i++) {
          work.run();
        }
      }));
    }
    return least;
  }
}
