package tips.drain.server;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tips.drain.api.LanguageModel;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;

/**
 * {@code parallel} slots, each a set of {@link Session}s (one per served variant, opened when first needed), and a
 * bounded queue of requests waiting for one. A request that finds the queue full is refused at once; a waiting
 * one can give up (its client went away). Sessions run on the model's shared threads; the engine decides how their
 * steps are scheduled.
 */
final class SlotPool {
  /** Calls back while a request waits, e.g. to ping its client; throws when the client is gone. */
  @FunctionalInterface
  interface WaitCallback {
    void stillWaiting() throws IOException;
  }

  private final LanguageModel model;
  private final int contextLength;
  private final int queueSize;
  private final Semaphore free;
  private final ConcurrentLinkedQueue<Slot> idle = new ConcurrentLinkedQueue<>();
  private final AtomicInteger waiting = new AtomicInteger();

  SlotPool(LanguageModel model, int parallel, int queueSize, int contextLength) {
    this.model = model;
    this.contextLength = contextLength;
    this.queueSize = queueSize;
    this.free = new Semaphore(parallel, true);
    for (int i = 0; i < parallel; i++) {
      idle.add(new Slot());
    }
  }

  /** Positions a session holds. */
  int contextLength() {
    return contextLength;
  }

  /** Requests waiting for a slot. */
  int waiting() {
    return waiting.get();
  }

  /**
   * A place in the queue, or a 503 when {@code queueSize} requests already wait. The caller must
   * {@link Ticket#await} it (or {@link Ticket#leave} it).
   */
  Ticket enqueue() {
    if (waiting.incrementAndGet() > queueSize) {
      waiting.decrementAndGet();
      throw ApiException.unavailable("queue_full", "the server is busy: " + queueSize + " requests are already "
          + "waiting; retry later");
    }
    return new Ticket();
  }

  /** A request's place in the queue. */
  final class Ticket {
    private boolean left;

    /**
     * Waits for a slot, calling {@code callback} every {@code intervalMillis} while it waits.
     *
     * @throws IOException what the callback threw (the request leaves the queue)
     */
    Slot await(long intervalMillis, WaitCallback callback) throws IOException, InterruptedException {
      try {
        while (!free.tryAcquire(intervalMillis, TimeUnit.MILLISECONDS)) {
          callback.stillWaiting();
        }
      } finally {
        leave();
      }
      return idle.poll();
    }

    /** Leaves the queue without a slot. */
    void leave() {
      if (!left) {
        left = true;
        waiting.decrementAndGet();
      }
    }
  }

  /** One slot: its sessions, one per variant. Closing it gives it back to the pool. */
  final class Slot implements AutoCloseable {
    private final Map<String, Session> sessions = new HashMap<>();

    /** The slot's session for {@code variant}, emptied. */
    Session session(ServedModel.Variant variant) {
      Session s = sessions.computeIfAbsent(variant.name(), name -> model.newSession(
          SessionOptions.defaults().withContextLength(contextLength).withAdapter(variant.adapter())));
      s.reset();
      return s;
    }

    @Override
    public void close() {
      idle.add(this);
      free.release();
    }
  }
}
