package tips.drain.engine;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import tips.drain.DrainException;
import tips.drain.model.Batch;
import tips.drain.model.ForwardState;
import tips.drain.model.KvCache;
import tips.drain.model.ModelConfig;
import tips.drain.model.Transformer;
import tips.drain.util.Parallel;

/**
 * Runs every sequence of a model together: one scheduler thread builds each forward step from the next token of
 * every generating sequence plus chunks of pending prompts, up to {@link EngineOptions#stepTokens} (chunked
 * prefill), and runs it as one {@link Batch} on the model's threads, so each weight is read once per step for all
 * sequences. The products are batch-invariant: a sequence's logits are the same alone or in any batch.
 *
 * <p>A caller (a session, on its own thread) {@linkplain #acquire leases a slot} (a KV cache, reusing the longest
 * cached prefix of its ids among free slots), {@linkplain #run feeds ids} and waits for the logits, samples, feeds
 * the next id, and {@linkplain Lease#close releases} the slot, which keeps its ids for a later request that starts
 * with them. Callers whose sequences ran in the last step are waited for briefly before the next one, so N
 * sessions decoding on N threads share every step. Admission: at most {@link EngineOptions#slots} leases, at most
 * {@link EngineOptions#queue} callers waiting for one, KV caches within {@link EngineOptions#kvBudgetBytes}; beyond
 * that a request is refused with an {@link EngineBusyException} before anything of it runs. A cancelled feed ends
 * at the next step.
 */
public final class Engine implements AutoCloseable {
  /** The longest the scheduler waits for the sequences of the last step to send their next token. */
  private static final long COALESCE_NANOS = TimeUnit.MILLISECONDS.toNanos(3);

  private final ModelConfig config;
  private final Parallel parallel;
  private final EngineOptions options;
  private final Slot[] slots;
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when a slot is released or work completes (callers wait on it). */
  private final Condition changed = lock.newCondition();
  /** Signalled when work is submitted (the scheduler waits on it). */
  private final Condition submitted = lock.newCondition();
  /** Work submitted and not yet complete, in submission order. */
  private final List<Work> pending = new ArrayList<>();
  /** Leases whose work completed in the last step and that are still held: the next step waits briefly for them. */
  private final Set<Lease> expected = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  private int waiting;
  private boolean closed;
  private final Thread scheduler;
  private final EngineCounters counters = new EngineCounters();

  // the scheduler thread's own
  private final Batch batch;
  private final float[] logits;
  private ForwardState state;
  private int stateCapacity;

  public Engine(ModelConfig config, Parallel parallel, EngineOptions options) {
    this.config = config;
    this.parallel = parallel;
    this.options = options;
    this.slots = new Slot[options.slots()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot(i);
    }
    this.batch = new Batch(options.stepTokens());
    this.logits = new float[options.stepTokens() * config.vocabSize()];
    this.scheduler = Thread.ofPlatform().daemon().name("drain-engine-scheduler").unstarted(this::schedule);
    scheduler.start();
  }

  public EngineOptions options() {
    return options;
  }

  /** What has run so far and what runs now, for metrics. */
  public EngineCounters.Snapshot counters() {
    lock.lock();
    try {
      int leased = 0;
      long bytes = 0;
      for (Slot s : slots) {
        leased += s.leased ? 1 : 0;
        bytes += s.bytes();
      }
      return counters.snapshot(leased, waiting, bytes);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Leases a slot for a sequence of {@code capacity} positions that will hold {@code ids[0, n)} (and more): among the
   * free slots the one holding the longest prefix of them (the owner's own slot on a tie), else an empty one, else
   * the least recently used. Of the prefix it holds, all but the last id are kept ({@link Lease#reused()}): at least
   * one id is fed, for its logits. Waits while every slot is leased.
   *
   * @param owner who asks (a session): its last slot is preferred
   * @param transformer the forward pass the sequence runs (the model's, or an adapter's view)
   * @throws EngineBusyException when the queue of waiting callers is full, the cache alone exceeds the KV budget,
   *     or the engine is closed
   */
  public Lease acquire(Object owner, Transformer transformer, int[] ids, int n, int capacity) {
    long need = KvCache.byteSize(config, capacity, options.stepTokens());
    if (need > options.kvBudgetBytes()) {
      counters.refused();
      throw new EngineBusyException("a KV cache of " + capacity + " positions takes " + (need >> 20) + " MiB, more than"
          + " the engine's KV budget of " + (options.kvBudgetBytes() >> 20) + " MiB: use a shorter context");
    }
    lock.lock();
    try {
      while (true) {
        if (closed) {
          throw new EngineBusyException("the engine is closed");
        }
        Slot slot = choose(owner, transformer, ids, n, capacity, need);
        if (slot != null) {
          int reused = Math.min(slot.commonPrefix(transformer, ids, n), n - 1);
          reused = Math.max(reused, 0);
          slot.length = reused;
          slot.leased = true;
          slot.lastOwner = owner;
          slot.computedBy = transformer;
          slot.lastUsed = System.nanoTime();
          counters.reused(reused);
          return new Lease(slot, transformer, reused);
        }
        if (waiting >= options.queue()) {
          counters.refused();
          throw new EngineBusyException("all " + slots.length + " slots are busy and " + waiting
              + " requests wait for one (the queue holds " + options.queue() + "): try again later");
        }
        waiting++;
        try {
          changed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new DrainException("interrupted while waiting for a free slot");
        } finally {
          waiting--;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The free slot to lease (making room in the KV budget), or null when none can be. Under the lock. */
  private Slot choose(Object owner, Transformer transformer, int[] ids, int n, int capacity, long need) {
    Slot best = null;
    int bestPrefix = 0;
    for (Slot s : slots) {
      if (s.leased || s.cache == null || s.capacity() < capacity) {
        continue;
      }
      int prefix = s.commonPrefix(transformer, ids, n);
      if (prefix > bestPrefix || (prefix == bestPrefix && prefix > 0 && s.lastOwner == owner)) {
        best = s;
        bestPrefix = prefix;
      }
    }
    if (best != null) {
      return best;
    }
    Slot empty = null;
    Slot oldest = null;
    for (Slot s : slots) {
      if (s.leased) {
        continue;
      }
      if (s.cache == null && empty == null) {
        empty = s;
      }
      if (s.cache != null && s.capacity() >= capacity && (oldest == null || s.lastUsed < oldest.lastUsed)) {
        oldest = s;
      }
    }
    if (empty == null && oldest != null) {
      return oldest;
    }
    if (empty == null) {
      // every free slot is too small: drop the least recently used one for a new cache
      for (Slot s : slots) {
        if (!s.leased && (empty == null || s.lastUsed < empty.lastUsed)) {
          empty = s;
        }
      }
      if (empty == null) {
        return null;
      }
      empty.drop();
    }
    if (!makeRoom(need, empty)) {
      return null;
    }
    empty.cache = KvCache.forModel(config, capacity, options.stepTokens());
    empty.length = 0;
    return empty;
  }

  /** Drops free slots' caches, least recently used first, until {@code need} more bytes fit the budget. */
  private boolean makeRoom(long need, Slot keep) {
    while (true) {
      long held = 0;
      Slot victim = null;
      for (Slot s : slots) {
        held += s.bytes();
        if (s != keep && !s.leased && s.cache != null && (victim == null || s.lastUsed < victim.lastUsed)) {
          victim = s;
        }
      }
      if (held + need <= options.kvBudgetBytes()) {
        return true;
      }
      if (victim == null) {
        return false;
      }
      victim.drop();
    }
  }

  /**
   * Feeds {@code ids[from, to)} to the leased sequence and waits until they have run; the logits of the last id
   * ({@link Logits#LAST}: {@code vocab} floats) or of every id ({@link Logits#ALL}: {@code (to - from, vocab)}) go to
   * {@code out}. Returns the ids fed, fewer than asked when {@code cancelled} turned true first (checked before
   * each step).
   */
  public int run(Lease lease, int[] ids, int from, int to, float[] out, Logits wanted, BooleanSupplier cancelled) {
    if (lease.closed) {
      throw new IllegalStateException("the lease was released");
    }
    if (lease.slot.length + (to - from) > lease.slot.capacity()) {
      throw new IllegalArgumentException((to - from) + " ids do not fit a slot of " + lease.slot.capacity() + " holding "
          + lease.slot.length);
    }
    if (from == to) {
      return 0;
    }
    Work work = new Work(lease, ids, from, to, out, wanted, cancelled);
    lock.lock();
    try {
      if (closed) {
        throw new EngineBusyException("the engine is closed");
      }
      pending.add(work);
      submitted.signal();
      while (!work.done) {
        changed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
    if (work.failure != null) {
      throw work.failure instanceof RuntimeException r ? r : new DrainException("forward step failed", work.failure);
    }
    return work.next - from;
  }

  /** The scheduler thread: one step after another while there is work. */
  private void schedule() {
    List<Work> step = new ArrayList<>();
    while (true) {
      lock.lock();
      try {
        while (pending.isEmpty() && !closed) {
          submitted.awaitUninterruptibly();
        }
        if (closed) {
          failAll(new EngineBusyException("the engine is closed"));
          return;
        }
        // let the sequences of the last step send their next token, so their decode steps coalesce
        long deadline = System.nanoTime() + COALESCE_NANOS;
        while (!allExpectedSubmitted() && !closed) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          try {
            submitted.awaitNanos(left);
          } catch (InterruptedException e) {
            break;
          }
        }
        step.clear();
        step.addAll(pending);
      } finally {
        lock.unlock();
      }
      Throwable failure = null;
      try {
        runStep(step);
      } catch (RuntimeException | Error e) {
        failure = e;
      }
      lock.lock();
      try {
        expected.clear();
        for (Work w : step) {
          if (failure != null && !w.finished) {
            w.failure = failure;
            w.finished = true;
          }
          if (w.finished) {
            w.done = true;
            pending.remove(w);
            if (!w.lease.closed) {
              expected.add(w.lease);
            }
          }
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private boolean allExpectedSubmitted() {
    for (Lease l : expected) {
      boolean found = false;
      for (Work w : pending) {
        if (w.lease == l) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  /**
   * One step: cancelled work ends; the rest takes the budget, decode tokens first, then prompt chunks in the order
   * they came; one forward pass per transformer (adapters run apart from the base model).
   */
  private void runStep(List<Work> works) {
    List<Work> decode = new ArrayList<>();
    List<Work> prefill = new ArrayList<>();
    for (Work w : works) {
      if (w.cancelled.getAsBoolean()) {
        w.finished = true;
      } else if (w.to - w.next == 1) {
        decode.add(w);
      } else {
        prefill.add(w);
      }
    }
    Map<Transformer, List<Work>> groups = new LinkedHashMap<>();
    Map<Work, Integer> taken = new IdentityHashMap<>();
    int budget = options.stepTokens();
    for (List<Work> list : List.of(decode, prefill)) {
      for (Work w : list) {
        int n = Math.min(w.to - w.next, budget);
        if (n == 0) {
          break;
        }
        budget -= n;
        taken.put(w, n);
        groups.computeIfAbsent(w.lease.transformer, t -> new ArrayList<>()).add(w);
      }
    }
    for (Map.Entry<Transformer, List<Work>> group : groups.entrySet()) {
      forward(group.getKey(), group.getValue(), taken);
    }
  }

  private void forward(Transformer transformer, List<Work> works, Map<Work, Integer> taken) {
    KvCache[] caches = new KvCache[works.size()];
    int capacity = 0;
    batch.clear();
    for (int i = 0; i < works.size(); i++) {
      Work w = works.get(i);
      Slot slot = w.lease.slot;
      caches[i] = slot.cache;
      capacity = Math.max(capacity, slot.capacity());
      int n = taken.get(w);
      for (int j = 0; j < n; j++) {
        int at = w.next + j;
        batch.add(i, slot.length + j, w.ids[at], w.wanted == Logits.ALL || at == w.to - 1);
      }
    }
    if (state == null || capacity > stateCapacity) {
      state = new ForwardState(config, options.stepTokens(), capacity);
      stateCapacity = capacity;
    }
    transformer.forward(batch, caches, state, parallel, logits);
    int vocab = config.vocabSize();
    int row = 0;
    for (Work w : works) {
      int n = taken.get(w);
      for (int j = 0; j < n; j++) {
        int at = w.next + j;
        if (w.wanted == Logits.ALL) {
          System.arraycopy(logits, row++ * vocab, w.out, (at - w.from) * vocab, vocab);
        } else if (at == w.to - 1) {
          System.arraycopy(logits, row++ * vocab, w.out, 0, vocab);
        }
        w.lease.slot.append(w.ids[at]);
      }
      w.next += n;
      counters.computed(n);
      if (w.next == w.to) {
        w.finished = true;
      }
    }
    counters.step(batch.size());
  }

  private void failAll(RuntimeException e) {
    for (Work w : pending) {
      w.failure = e;
      w.done = true;
    }
    pending.clear();
    changed.signalAll();
  }

  /** Stops the scheduler; work still pending fails with an {@link EngineBusyException}. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      submitted.signalAll();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      scheduler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Which logits a {@link #run} wants. */
  public enum Logits {
    /** Of the last id fed. */
    LAST,
    /** Of every id fed (evaluation). */
    ALL
  }

  /** A slot held by one caller between {@link #acquire} and {@link #close}. */
  public final class Lease implements AutoCloseable {
    private final Slot slot;
    private final Transformer transformer;
    private final int reused;
    private boolean closed;

    private Lease(Slot slot, Transformer transformer, int reused) {
      this.slot = slot;
      this.transformer = transformer;
      this.reused = reused;
    }

    /** Leading ids the slot already held, which need no computing. */
    public int reused() {
      return reused;
    }

    /** Ids the slot holds now. */
    public int length() {
      return slot.length;
    }

    /** Positions the slot holds at most. */
    public int capacity() {
      return slot.capacity();
    }

    /** A copy of the ids the slot holds. */
    public int[] ids() {
      return java.util.Arrays.copyOf(slot.ids, slot.length);
    }

    /** Releases the slot; it keeps its ids for a later request that starts with them. */
    @Override
    public void close() {
      lock.lock();
      try {
        if (!closed) {
          closed = true;
          slot.leased = false;
          slot.lastUsed = System.nanoTime();
          expected.remove(this);
          changed.signalAll();
          submitted.signal();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Ids to feed to one lease, and where its logits go. */
  private static final class Work {
    final Lease lease;
    final int[] ids;
    final int from;
    final int to;
    final float[] out;
    final Logits wanted;
    final BooleanSupplier cancelled;
    int next;
    /** Set by the scheduler during a step; {@link #done}, read by the caller, is set from it under the lock. */
    boolean finished;
    boolean done;
    Throwable failure;

    Work(Lease lease, int[] ids, int from, int to, float[] out, Logits wanted, BooleanSupplier cancelled) {
      this.lease = lease;
      this.ids = ids;
      this.from = from;
      this.to = to;
      this.out = out;
      this.wanted = wanted;
      this.cancelled = cancelled;
      this.next = from;
    }
  }
}
