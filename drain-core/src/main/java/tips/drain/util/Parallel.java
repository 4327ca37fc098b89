package tips.drain.util;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads a model computes with: {@code threads - 1} persistent workers it owns (never the common
 * pool) plus the calling thread, which always takes part. A forward pass opens ~150 parallel regions per
 * token, so a region costs no allocation and little synchronisation:
 *
 * <ul>
 *   <li>{@link #forRange} splits {@code [0, n)} into one contiguous chunk per thread, equal in size, so
 *       that all threads finish together; boundaries fall on multiples of 16 when {@code n} is large, so
 *       two threads never write the same cache line of a float output;
 *   <li>each worker is handed its chunk by one volatile write; workers spin briefly
 *       ({@value #SPIN_NANOS} ns) before parking, so back-to-back regions do not pay a wake-up each;
 *   <li>the caller runs the first chunk, then takes over every chunk whose worker has not started it
 *       yet (each chunk is claimed once, by whoever gets there first), and waits only for chunks in
 *       progress. A worker descheduled by a busy machine therefore delays nothing.
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

  private static final long SPIN_NANOS = 50_000;
  private static final AtomicInteger POOL_IDS = new AtomicInteger();
  /** Longs between the claim slots of two chunks: one cache line each. */
  private static final int SLOT = 8;

  private final int threads;
  private final Worker[] workers;
  private final AtomicBoolean busy = new AtomicBoolean();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  /** {@code claims[part * SLOT]}: the last job whose chunk {@code part} someone started. Job ids only grow. */
  private final AtomicLongArray claims;

  // the current job: plain fields, published to each worker by the volatile write of its ticket
  private RangeTask task;
  private int size;
  private int parts;
  private Thread caller;
  private long job;
  private volatile boolean closed;

  /** @param threads number of threads, at least 1; 1 computes on the caller's thread only */
  public Parallel(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    this.claims = new AtomicLongArray(threads * SLOT);
    this.workers = new Worker[threads - 1];
    int poolId = POOL_IDS.incrementAndGet();
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker(i + 1, "drain-" + poolId + "-worker-" + (i + 1));
      workers[i].start();
    }
  }

  /** Threads used, the caller included. */
  public int threads() {
    return threads;
  }

  /** Runs {@code task} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks. */
  public void forRange(int n, RangeTask task) {
    if (closed) {
      throw new IllegalStateException("this Parallel is closed");
    }
    int parts = Math.min(threads, n);
    if (parts <= 1 || !busy.compareAndSet(false, true)) {
      if (n > 0) {
        task.run(0, n);
      }
      return;
    }
    try {
      long id = ++job;
      this.task = task;
      this.size = n;
      this.parts = parts;
      this.caller = Thread.currentThread();
      pending.set(parts - 1);
      for (int part = 1; part < parts; part++) {
        Worker w = workers[part - 1];
        w.ticket = id; // publishes the fields above to this worker
        LockSupport.unpark(w);
      }
      runPart(0);
      for (int part = 1; part < parts; part++) {
        if (claim(part, id)) {
          runPart(part);
          pending.decrementAndGet();
        }
      }
      awaitWorkers();
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

  /** Start of chunk {@code part} of {@code parts} over {@code [0, n)}. */
  static int boundary(int n, int parts, int part) {
    if (part >= parts) {
      return n;
    }
    int align = n >= 64 * parts ? 16 : 1;
    return (int) ((long) n * part / parts) / align * align;
  }

  /** True if this thread is the first to start chunk {@code part} of job {@code id}. */
  private boolean claim(int part, long id) {
    int slot = part * SLOT;
    long last = claims.get(slot);
    // a chunk of an older job may be claimed; one already claimed for this (or, for a late worker, a newer) job may not
    return last < id && claims.compareAndSet(slot, last, id);
  }

  private void runPart(int part) {
    int from = boundary(size, parts, part);
    int to = boundary(size, parts, part + 1);
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

  private void awaitWorkers() {
    long deadline = System.nanoTime() + SPIN_NANOS;
    while (pending.get() != 0) {
      if (System.nanoTime() < deadline) {
        Thread.onSpinWait();
      } else {
        LockSupport.park(this);
      }
    }
  }

  /**
   * A persistent worker: runs chunk {@code part} of each job it is handed, unless the caller took it
   * first. The ticket is a field of its own (padded) so that workers spinning on it do not share a cache line.
   */
  private final class Worker extends Thread {
    private final int part;
    private volatile long ticket;
    @SuppressWarnings("unused")
    private long pad1, pad2, pad3, pad4, pad5, pad6, pad7;

    Worker(int part, String name) {
      super(name);
      this.part = part;
      setDaemon(true);
    }

    @Override
    public void run() {
      long seen = 0;
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
        // the job's fields are still those of job `seen` while its chunk is unclaimed: the caller waits for it
        if (claim(part, seen)) {
          Thread waiting = caller;
          runPart(part);
          if (pending.decrementAndGet() == 0) {
            LockSupport.unpark(waiting);
          }
        }
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
