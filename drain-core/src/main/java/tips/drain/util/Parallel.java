package tips.drain.util;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads a model computes with: {@code threads - 1} persistent workers it owns (never the common
 * pool) plus the calling thread, which always takes part. A forward pass opens ~150 parallel regions per
 * token, so a region costs no allocation and little synchronisation:
 *
 * <ul>
 *   <li>{@link #forRange} splits {@code [0, n)} into contiguous chunks of equal size, up to
 *       {@value #CHUNKS_PER_THREAD} per thread; boundaries fall on multiples of 16 when {@code n} is large,
 *       so two threads never write the same cache line of a float output;
 *   <li>every thread takes the next unstarted chunk until none is left (one compare-and-set each), so a
 *       thread that starts late (woken from a park, descheduled by a busy machine) or runs slower only
 *       does fewer chunks, and nobody waits for it;
 *   <li>each worker is handed the job by one volatile write; workers spin briefly
 *       ({@value #SPIN_NANOS} ns) before parking, so back-to-back regions do not pay a wake-up each.
 * </ul>
 *
 * An exception thrown by the task in any thread is rethrown to the caller after every chunk has finished.
 * A call made while another is in progress (from inside a task, or from a second thread) runs on the
 * calling thread alone.
 */
public final class Parallel implements AutoCloseable {

  /** A half-open range of work {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeTask {
    void run(int from, int to);
  }

  /** Chunks per thread at most: enough to even out a late or slow thread, few enough to keep chunks long. */
  static final int CHUNKS_PER_THREAD = 8;
  /** Chunks of one job at most: the count has 16 bits of the cursor. */
  private static final int MAX_CHUNKS = 0xFFFF;
  private static final long SPIN_NANOS = 50_000;
  private static final AtomicInteger POOL_IDS = new AtomicInteger();

  private final int threads;
  private final Worker[] workers;
  private final AtomicBoolean busy = new AtomicBoolean();
  /**
   * The job in bits 63..32, its number of chunks in 31..16 and the next unstarted chunk in 15..0: whoever
   * moves it on by one runs that chunk.
   */
  private final AtomicLong cursor = new AtomicLong();
  private final AtomicInteger finished = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  // the current job: plain fields, published by the volatile write of the cursor
  private RangeTask task;
  private int size;
  private Thread caller;
  private int job;
  private volatile boolean closed;

  /** @param threads number of threads, at least 1; 1 computes on the caller's thread only */
  public Parallel(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    this.workers = new Worker[threads - 1];
    int poolId = POOL_IDS.incrementAndGet();
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker("drain-" + poolId + "-worker-" + (i + 1));
      workers[i].start();
    }
  }

  /** Threads used, the caller included. */
  public int threads() {
    return threads;
  }

  /** Runs {@code task} over {@code [0, n)} in contiguous chunks, as {@link #forRange(int, int, RangeTask)} with chunks of any size. */
  public void forRange(int n, RangeTask task) {
    forRange(n, 1, task);
  }

  /**
   * Runs {@code task} over {@code [0, n)} split into contiguous chunks: as many per thread for every thread,
   * one (when {@code n} allows) or more, up to {@value #CHUNKS_PER_THREAD}, while each stays at least
   * {@code minChunk} long (a kernel that is faster on long ranges asks for that).
   */
  public void forRange(int n, int minChunk, RangeTask task) {
    if (closed) {
      throw new IllegalStateException("this Parallel is closed");
    }
    int chunks = chunks(n, threads, minChunk);
    if (chunks <= 1 || !busy.compareAndSet(false, true)) {
      if (n > 0) {
        task.run(0, n);
      }
      return;
    }
    try {
      int id = ++job;
      this.task = task;
      this.size = n;
      this.caller = Thread.currentThread();
      finished.set(0);
      cursor.set((long) id << 32 | (long) chunks << 16); // publishes the fields above
      int helpers = Math.min(workers.length, chunks - 1);
      for (int i = 0; i < helpers; i++) {
        Worker w = workers[i];
        w.ticket = id;
        LockSupport.unpark(w);
      }
      work(id);
      awaitChunks(chunks);
      Throwable t = failure.getAndSet(null);
      if (t instanceof RuntimeException e) {
        throw e;
      } else if (t instanceof Error e) {
        throw e;
      } else if (t != null) {
        throw new IllegalStateException(t);
      }
    } finally {
      this.task = null;
      busy.set(false);
    }
  }

  /** How many chunks {@code [0, n)} is cut into for {@code threads} threads. */
  static int chunks(int n, int threads, int minChunk) {
    // the same number for every thread: equal chunks then keep equal threads equally busy
    int perThread = Math.max(1, Math.min(CHUNKS_PER_THREAD, n / Math.max(1, minChunk) / threads));
    return Math.max(0, Math.min(n, Math.min(MAX_CHUNKS, threads * perThread)));
  }

  /** Start of chunk {@code chunk} of {@code chunks} over {@code [0, n)}. */
  static int boundary(int n, int chunks, int chunk) {
    if (chunk >= chunks) {
      return n;
    }
    int align = n >= 64 * chunks ? 16 : 1;
    return (int) ((long) n * chunk / chunks) / align * align;
  }

  /** Runs unstarted chunks of job {@code id} until none is left (or the job is no longer current). */
  private void work(int id) {
    while (true) {
      long c = cursor.get();
      if ((int) (c >>> 32) != id) {
        return;
      }
      // the chunk count travels in the cursor: the field of a job being set up may already hold the next one's
      int total = (int) (c >>> 16) & 0xFFFF;
      int chunk = (int) c & 0xFFFF;
      if (chunk >= total) {
        return;
      }
      if (cursor.compareAndSet(c, c + 1)) {
        // this chunk is unfinished, so the caller is still in job `id` and its fields are this job's
        Thread waiting = caller;
        runChunk(chunk, total);
        if (finished.incrementAndGet() == total && Thread.currentThread() != waiting) {
          LockSupport.unpark(waiting);
        }
      }
    }
  }

  private void runChunk(int chunk, int total) {
    int from = boundary(size, total, chunk);
    int to = boundary(size, total, chunk + 1);
    try {
      if (from < to) {
        task.run(from, to);
      }
    } catch (Throwable t) {
      if (!failure.compareAndSet(null, t)) {
        failure.get().addSuppressed(t);
      }
    }
  }

  private void awaitChunks(int total) {
    long deadline = System.nanoTime() + SPIN_NANOS;
    while (finished.get() != total) {
      if (System.nanoTime() < deadline) {
        Thread.onSpinWait();
      } else {
        LockSupport.park(this);
      }
    }
  }

  /**
   * A persistent worker: on each new ticket, takes chunks of that job until none is left. The ticket is a
   * field of its own (padded) so that workers spinning on it do not share a cache line.
   */
  private final class Worker extends Thread {
    private volatile int ticket;
    @SuppressWarnings("unused")
    private long pad1, pad2, pad3, pad4, pad5, pad6, pad7;

    Worker(String name) {
      super(name);
      setDaemon(true);
    }

    @Override
    public void run() {
      int seen = 0;
      while (true) {
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (ticket == seen && !closed) {
          if (System.nanoTime() < deadline) {
            Thread.onSpinWait();
          } else {
            LockSupport.park(this);
          }
        }
        if (closed) {
          return;
        }
        seen = ticket;
        work(seen);
      }
    }
  }

  /** Stops the workers. A {@code forRange} after this throws {@link IllegalStateException}. */
  @Override
  public void close() {
    closed = true;
    for (Worker w : workers) {
      LockSupport.unpark(w);
    }
    for (Worker w : workers) {
      try {
        w.join(TimeUnit.SECONDS.toMillis(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
