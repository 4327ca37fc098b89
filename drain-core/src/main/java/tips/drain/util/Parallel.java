package tips.drain.util;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads a model computes with: a fixed pool it owns (never the common pool), used to split the rows
 * of each matrix product into one contiguous chunk per thread. The calling thread takes the first chunk.
 */
public final class Parallel implements AutoCloseable {

  /** A half-open range of work {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeTask {
    void run(int from, int to);
  }

  private static final AtomicInteger POOL_IDS = new AtomicInteger();
  private final int threads;
  private final ExecutorService pool;

  /** @param threads number of threads, at least 1; 1 computes on the caller's thread only */
  public Parallel(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    if (threads == 1) {
      this.pool = null;
    } else {
      int poolId = POOL_IDS.incrementAndGet();
      AtomicInteger n = new AtomicInteger();
      ThreadFactory factory = r -> {
        Thread t = new Thread(r, "drain-" + poolId + "-worker-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
      this.pool = Executors.newFixedThreadPool(threads - 1, factory);
    }
  }

  /** Threads used, the caller included. */
  public int threads() {
    return threads;
  }

  /** Runs {@code task} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks. */
  public void forRange(int n, RangeTask task) {
    int chunks = Math.min(threads, n);
    if (chunks <= 1) {
      task.run(0, n);
      return;
    }
    List<Future<?>> futures = new ArrayList<>(chunks - 1);
    for (int c = 1; c < chunks; c++) {
      int from = (int) ((long) n * c / chunks);
      int to = (int) ((long) n * (c + 1) / chunks);
      futures.add(pool.submit(() -> task.run(from, to)));
    }
    task.run(0, (int) ((long) n / chunks));
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while computing", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(cause);
      }
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
