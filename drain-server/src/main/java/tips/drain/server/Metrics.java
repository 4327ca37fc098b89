package tips.drain.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import tips.drain.engine.EngineCounters;

/** The server's counters, gauges and histograms, written in Prometheus' text format for {@code GET /metrics}. */
final class Metrics {
  private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private final AtomicLong promptTokens = new AtomicLong();
  private final AtomicLong generatedTokens = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong kvTokens = new AtomicLong();
  private final Histogram timeToFirstToken = new Histogram("drain_time_to_first_token_seconds",
      "Time from a request's arrival to its first generated token.",
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
  private final Histogram decodeRate = new Histogram("drain_decode_tokens_per_second",
      "Generated tokens per second of each request, after its first token.",
      1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000);

  /** One answered request, by route and status. */
  void request(String route, int status) {
    requests.computeIfAbsent(route + "\u0000" + status, k -> new AtomicLong()).incrementAndGet();
  }

  void started(int prompt) {
    active.incrementAndGet();
    promptTokens.addAndGet(prompt);
    kvTokens.addAndGet(prompt);
  }

  void token() {
    generatedTokens.incrementAndGet();
    kvTokens.incrementAndGet();
  }

  /** A sequence ended and gave back its {@code held} KV positions. */
  void finished(long held, boolean wasCancelled) {
    active.decrementAndGet();
    kvTokens.addAndGet(-held);
    if (wasCancelled) {
      cancelled.incrementAndGet();
    }
  }

  /** A request whose client went away before it got a slot. */
  void cancelledWhileQueued() {
    cancelled.incrementAndGet();
  }

  void firstToken(double seconds) {
    timeToFirstToken.observe(seconds);
  }

  void decodeRate(double tokensPerSecond) {
    decodeRate.observe(tokensPerSecond);
  }

  int active() {
    return active.get();
  }

  /** The engine's own counters: its batched steps, tokens computed and reused from cached prefixes, KV bytes. */
  static void engine(StringBuilder out, EngineCounters.Snapshot e) {
    counter(out, "drain_engine_steps_total", "Forward steps of the engine (each batches every running sequence).",
        e.steps());
    counter(out, "drain_engine_step_entries_total", "Tokens run in those steps, all sequences together.",
        e.stepEntries());
    counter(out, "drain_engine_computed_tokens_total", "Prompt and generated tokens computed.", e.computedTokens());
    counter(out, "drain_engine_reused_tokens_total", "Prompt tokens reused from a cached prefix, not computed.",
        e.reusedTokens());
    gauge(out, "drain_engine_kv_cache_bytes", "Bytes of KV caches the engine holds (free slots keep theirs for reuse).",
        e.kvBytes());
  }

  String render(IntSupplier queued, long kvCapacity) {
    StringBuilder out = new StringBuilder();
    out.append("# HELP drain_requests_total Requests answered, by route and HTTP status.\n");
    out.append("# TYPE drain_requests_total counter\n");
    Map<String, AtomicLong> sorted = new TreeMap<>(requests);
    for (Map.Entry<String, AtomicLong> e : sorted.entrySet()) {
      String[] parts = e.getKey().split("\u0000");
      out.append("drain_requests_total{route=\"").append(parts[0]).append("\",status=\"").append(parts[1])
          .append("\"} ").append(e.getValue().get()).append('\n');
    }
    counter(out, "drain_prompt_tokens_total", "Prompt tokens of the requests run.", promptTokens.get());
    counter(out, "drain_generated_tokens_total", "Tokens generated.", generatedTokens.get());
    counter(out, "drain_cancelled_total", "Generations cancelled because their client went away or the server stopped.",
        cancelled.get());
    gauge(out, "drain_queue_depth", "Requests waiting for a slot.", queued.getAsInt());
    gauge(out, "drain_active_sequences", "Sequences generating now.", active.get());
    gauge(out, "drain_kv_cache_used_tokens", "KV cache positions held by the active sequences.", kvTokens.get());
    gauge(out, "drain_kv_cache_capacity_tokens", "KV cache positions of all slots.", kvCapacity);
    timeToFirstToken.write(out);
    decodeRate.write(out);
    return out.toString();
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
  }
}
