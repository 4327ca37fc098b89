package tips.drain.engine;

import java.util.concurrent.atomic.AtomicLong;

/** Running totals of an {@link Engine}, for metrics: steps, tokens computed and reused, requests refused. */
public final class EngineCounters {
  private final AtomicLong steps = new AtomicLong();
  private final AtomicLong stepEntries = new AtomicLong();
  private final AtomicLong computed = new AtomicLong();
  private final AtomicLong reused = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  void step(int entries) {
    steps.incrementAndGet();
    stepEntries.addAndGet(entries);
  }

  void computed(int n) {
    computed.addAndGet(n);
  }

  void reused(int n) {
    reused.addAndGet(n);
  }

  void refused() {
    refused.incrementAndGet();
  }

  Snapshot snapshot(int active, int queued, long kvBytes) {
    return new Snapshot(steps.get(), stepEntries.get(), computed.get(), reused.get(), refused.get(), active, queued, kvBytes);
  }

  /**
   * @param steps forward steps run
   * @param stepEntries entries of all steps (over {@code steps}: the mean batch)
   * @param computedTokens ids run through the model
   * @param reusedTokens ids taken from a slot's cache instead of computed (prefix reuse)
   * @param refused requests refused (queue full, cache over the KV budget)
   * @param activeSequences slots leased now
   * @param queued callers waiting for a slot now
   * @param kvBytes bytes of KV caches held now (leased and free slots)
   */
  public record Snapshot(long steps, long stepEntries, long computedTokens, long reusedTokens, long refused,
      int activeSequences, int queued, long kvBytes) {}
}
