package tips.drain.api;

import java.util.Arrays;
import java.util.Optional;
import tips.drain.DrainException;
import tips.drain.engine.Engine;
import tips.drain.model.Transformer;
import tips.drain.sampling.Sampler;
import tips.drain.tokenizer.StreamDecoder;
import tips.drain.tokenizer.Tokenizer;

/**
 * One conversation with a model: the ids it holds, and the weights it runs (the model's, or a LoRA
 * {@link Adapter}'s view of them, chosen when it is opened). Each {@link #generate} continues from what the session
 * already holds (a chat keeps its history); {@link #reset()} starts over. A session is used by one thread at a time;
 * {@link #cancel()} may be called from any thread. Sessions on any number of threads may generate at once: the
 * model's {@link tips.drain.engine.Engine} runs them together, each forward step shared by all, and each session's
 * output is the same as if it ran alone.
 *
 * <p>While it runs, a session holds one of the engine's slots (a KV cache); between calls the slot keeps the
 * session's ids, and the next call, of this session or of another whose ids start the same way, reuses them
 * ({@link GenerationStats#cachedTokens()}). When the slot went to someone else meanwhile, the history is computed
 * again.
 */
public final class Session implements AutoCloseable {
  private final LanguageModel model;
  /** The model's forward pass, over its weights or an adapter's view of them; fixed for the session. */
  private final Transformer transformer;
  private final Adapter adapter;
  private final float[] logits;
  private final int capacity;
  /** Every id of the conversation fed so far, in order, plus possibly one pending id (sampled, not yet fed). */
  private int[] history;
  private int position;
  private int pendingToken = -1;
  private volatile boolean cancelled;
  private boolean closed;

  Session(LanguageModel model, Transformer transformer, Adapter adapter, int capacity) {
    this.model = model;
    this.transformer = transformer;
    this.adapter = adapter;
    this.capacity = capacity;
    this.logits = new float[model.config().vocabSize()];
    this.history = new int[0];
  }

  /** The adapter this session runs with, if any ({@link SessionOptions#withAdapter}). */
  public Optional<Adapter> adapter() {
    return Optional.ofNullable(adapter);
  }

  /** Positions held in the KV cache. */
  public int position() {
    return position;
  }

  /** Positions this session can hold. */
  public int capacity() {
    return capacity;
  }

  /**
   * The ids this session holds: every id in its KV cache, then the last generated id, which is fed at the start
   * of the next call.
   */
  public int[] tokens() {
    int[] fed = Arrays.copyOf(history, position);
    if (pendingToken < 0) {
      return fed;
    }
    int[] all = Arrays.copyOf(fed, position + 1);
    all[position] = pendingToken;
    return all;
  }

  /** Forgets the conversation: the next generation starts at position 0. */
  public void reset() {
    position = 0;
    pendingToken = -1;
  }

  /** Asks a running {@link #generate} to stop after the current token; it returns {@link FinishReason#CANCELLED}. */
  public void cancel() {
    cancelled = true;
  }

  /** Encodes {@code prompt} and generates a continuation. */
  public GenerationResult generate(String prompt, GenerationOptions options, TokenListener listener) {
    Tokenizer tokenizer = model.requireTokenizer();
    boolean special = options.addSpecialTokens() && position == 0 && pendingToken < 0;
    return generate(tokenizer.encode(prompt, special), options, listener);
  }

  /** Generates a continuation of {@code promptIds} (fed as they are: no BOS added). */
  public GenerationResult generate(int[] promptIds, GenerationOptions options, TokenListener listener) {
    ensureOpen();
    cancelled = false;
    if (promptIds.length == 0 && pendingToken < 0) {
      throw new DrainException("empty prompt: at least one token is needed to start generating");
    }
    if (position + promptIds.length + (pendingToken < 0 ? 0 : 1) > capacity) {
      int n = promptIds.length + (pendingToken < 0 ? 0 : 1);
      throw new ContextLengthException("prompt of " + n + " tokens does not fit the context of " + capacity
          + " positions (" + position + " already used): shorten it, reset the session, or use a longer context"
          + " (--context N, SessionOptions.withContextLength) up to the model's " + model.config().contextLength());
    }
    int[] input = withPending(promptIds);
    Tokenizer tokenizer = model.tokenizer().orElse(null);
    StreamDecoder decoder = tokenizer == null ? null : tokenizer.streamDecoder(true);
    StopStrings stops = new StopStrings(options.stopStrings());
    int[] modelEos = options.stopOnEos() ? model.eosTokenIds() : new int[0];
    int[] eos = java.util.stream.IntStream.concat(java.util.Arrays.stream(modelEos),
        options.stopTokens().stream().mapToInt(Integer::intValue)).toArray();
    Sampler sampler = Sampler.create(options.sampling());
    int vocab = model.config().vocabSize();

    int[] full = Arrays.copyOf(history, position + input.length);
    System.arraycopy(input, 0, full, position, input.length);
    int[] generated = new int[Math.max(16, Math.min(options.maxTokens(), 4096))];
    int count = 0;
    int decodeSteps = 0;
    int cached;
    long prefillNanos;
    long t1;
    FinishReason reason = FinishReason.LENGTH;
    Engine engine = model.engine();
    try (Engine.Lease lease = engine.acquire(this, transformer, full, full.length, capacity)) {
      cached = Math.max(0, lease.reused() - position);
      long t0 = System.nanoTime();
      int fed = engine.run(lease, full, lease.reused(), full.length, logits, Engine.Logits.LAST, () -> cancelled);
      prefillNanos = System.nanoTime() - t0;
      t1 = System.nanoTime();
      if (fed < full.length - lease.reused()) {
        reason = FinishReason.CANCELLED;
      } else {
        int[] one = new int[1];
        while (count < options.maxTokens()) {
          float[] raw = options.logprobs() >= 0 ? Arrays.copyOf(logits, vocab) : null; // the sampler may modify them
          int next = sampler.sample(logits, vocab, full, full.length);
          if (contains(eos, next)) {
            pendingToken = next;
            reason = FinishReason.STOP;
            break;
          }
          if (raw != null) {
            listener.onLogprobs(TokenLogprobs.of(raw, vocab, next, options.logprobs()));
          }
          if (count == generated.length) {
            generated = Arrays.copyOf(generated, count * 2);
          }
          generated[count++] = next;
          String piece = decoder == null ? "" : stops.append(decoder.next(next));
          listener.onToken(next, piece);
          if (stops.stopped()) {
            pendingToken = next;
            reason = FinishReason.STOP;
            break;
          }
          if (cancelled) {
            pendingToken = next;
            reason = FinishReason.CANCELLED;
            break;
          }
          if (count == options.maxTokens() || lease.length() == capacity) {
            pendingToken = next;
            reason = FinishReason.LENGTH;
            break;
          }
          one[0] = next;
          if (engine.run(lease, one, 0, 1, logits, Engine.Logits.LAST, () -> cancelled) == 0) {
            pendingToken = next;
            reason = FinishReason.CANCELLED;
            break;
          }
          full = append(full, next);
          decodeSteps++;
        }
      }
      remember(lease);
    }
    long decodeNanos = System.nanoTime() - t1;
    if (decoder != null && !stops.stopped()) {
      String rest = stops.append(decoder.flush()) + stops.finish();
      if (!rest.isEmpty()) {
        listener.onToken(-1, rest);
      }
    }
    GenerationStats stats = new GenerationStats(input.length, count, prefillNanos, decodeNanos, decodeSteps, cached);
    return new GenerationResult(input, Arrays.copyOf(generated, count), stops.text(), reason, stats);
  }

  /**
   * Feeds {@code ids} at the current position and leaves the logits of the last one in the session; returns a copy
   * of them.
   */
  public float[] feed(int[] ids) {
    run(ids, Engine.Logits.LAST);
    return Arrays.copyOf(logits, model.config().vocabSize());
  }

  /**
   * Feeds {@code ids} and returns the logits after every one of them, {@code (ids.length, vocab)} row-major:
   * for perplexity and evaluation.
   */
  public float[] feedAll(int[] ids) {
    return run(ids, Engine.Logits.ALL);
  }

  /** Feeds {@code ids} (after a pending id) through the engine; the logits of all of them, or of the last in {@link #logits}. */
  private float[] run(int[] ids, Engine.Logits wanted) {
    ensureOpen();
    int n = ids.length + (pendingToken < 0 ? 0 : 1);
    if (position + n > capacity) {
      throw new ContextLengthException(n + " tokens do not fit: the session holds " + position + " of "
          + capacity + " positions");
    }
    int vocab = model.config().vocabSize();
    int[] input = withPending(ids);
    if (input.length == 0) {
      return new float[0];
    }
    int[] full = Arrays.copyOf(history, position + input.length);
    System.arraycopy(input, 0, full, position, input.length);
    Engine engine = model.engine();
    float[] all = wanted == Engine.Logits.ALL ? new float[input.length * vocab] : logits;
    try (Engine.Lease lease = engine.acquire(this, transformer, full, wanted == Engine.Logits.ALL ? position : full.length,
        capacity)) {
      if (wanted == Engine.Logits.ALL) {
        // the cached history is kept; every new id is computed, for its logits
        if (lease.reused() < position) {
          engine.run(lease, full, lease.reused(), position, logits, Engine.Logits.LAST, () -> false);
        }
        engine.run(lease, full, position, full.length, all, Engine.Logits.ALL, () -> false);
        System.arraycopy(all, (input.length - 1) * vocab, logits, 0, vocab);
      } else {
        engine.run(lease, full, lease.reused(), full.length, logits, Engine.Logits.LAST, () -> false);
      }
      remember(lease);
    }
    return all;
  }

  /** The ids the slot holds are the conversation. */
  private void remember(Engine.Lease lease) {
    history = lease.ids();
    position = history.length;
  }

  private static int[] append(int[] ids, int id) {
    int[] out = Arrays.copyOf(ids, ids.length + 1);
    out[ids.length] = id;
    return out;
  }

  private int[] withPending(int[] ids) {
    if (pendingToken < 0) {
      return ids.clone();
    }
    int[] all = new int[ids.length + 1];
    all[0] = pendingToken;
    System.arraycopy(ids, 0, all, 1, ids.length);
    pendingToken = -1;
    return all;
  }

  private static boolean contains(int[] ids, int id) {
    for (int i : ids) {
      if (i == id) {
        return true;
      }
    }
    return false;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("session is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
