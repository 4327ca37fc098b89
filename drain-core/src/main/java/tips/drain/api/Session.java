package tips.drain.api;

import java.util.Arrays;
import java.util.Optional;
import tips.drain.DrainException;
import tips.drain.model.ForwardState;
import tips.drain.model.KvCache;
import tips.drain.model.ModelConfig;
import tips.drain.model.Transformer;
import tips.drain.sampling.Sampler;
import tips.drain.tokenizer.StreamDecoder;
import tips.drain.tokenizer.Tokenizer;

/**
 * One conversation with a model: its own KV cache and position, and the weights it runs (the model's, or a
 * LoRA {@link Adapter}'s view of them, chosen when it is opened). Each {@link #generate} continues from what
 * the session already holds (a chat keeps its history in the cache); {@link #reset()} starts over. A session
 * is used by one thread at a time; {@link #cancel()} may be called from any thread.
 */
public final class Session implements AutoCloseable {
  private final LanguageModel model;
  /** The model's forward pass, over its weights or an adapter's view of them; fixed for the session. */
  private final Transformer transformer;
  private final Adapter adapter;
  private final KvCache cache;
  private final ForwardState state;
  private final float[] logits;
  private final int capacity;
  /** Every id in the cache, in order, plus possibly one pending id (sampled, not yet fed). */
  private int[] history;
  private int position;
  private int pendingToken = -1;
  private volatile boolean cancelled;
  private boolean closed;

  Session(LanguageModel model, Transformer transformer, Adapter adapter, int capacity, int batchSize) {
    this.model = model;
    this.transformer = transformer;
    this.adapter = adapter;
    ModelConfig c = model.config();
    this.capacity = capacity;
    int batch = Math.min(batchSize, capacity);
    this.cache = KvCache.forModel(c, capacity, batch);
    this.state = new ForwardState(c, batch, capacity);
    this.logits = new float[c.vocabSize()];
    this.history = new int[Math.min(capacity + 1, 1024)];
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
    int[] input = withPending(promptIds);
    if (input.length == 0) {
      throw new DrainException("empty prompt: at least one token is needed to start generating");
    }
    if (position + input.length > capacity) {
      throw new ContextLengthException("prompt of " + input.length + " tokens does not fit the context of " + capacity
          + " positions (" + position + " already used): shorten it, reset the session, or use a longer context"
          + " (--context N, SessionOptions.withContextLength) up to the model's " + model.config().contextLength());
    }
    Tokenizer tokenizer = model.tokenizer().orElse(null);
    StreamDecoder decoder = tokenizer == null ? null : tokenizer.streamDecoder(true);
    StopStrings stops = new StopStrings(options.stopStrings());
    int[] modelEos = options.stopOnEos() ? model.eosTokenIds() : new int[0];
    int[] eos = java.util.stream.IntStream.concat(java.util.Arrays.stream(modelEos),
        options.stopTokens().stream().mapToInt(Integer::intValue)).toArray();
    Sampler sampler = Sampler.create(options.sampling());
    int vocab = model.config().vocabSize();

    long t0 = System.nanoTime();
    ingest(input);
    long prefillNanos = System.nanoTime() - t0;

    int[] generated = new int[Math.max(16, Math.min(options.maxTokens(), 4096))];
    int count = 0;
    int decodeSteps = 0;
    FinishReason reason = FinishReason.LENGTH;
    long t1 = System.nanoTime();
    while (count < options.maxTokens()) {
      int next = sampler.sample(logits, vocab, history, position);
      if (contains(eos, next)) {
        pendingToken = next;
        reason = FinishReason.STOP;
        break;
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
      if (count == options.maxTokens() || position == capacity) {
        pendingToken = next;
        reason = FinishReason.LENGTH;
        break;
      }
      ingest(new int[] {next});
      decodeSteps++;
    }
    long decodeNanos = System.nanoTime() - t1;
    if (decoder != null && !stops.stopped()) {
      String rest = stops.append(decoder.flush()) + stops.finish();
      if (!rest.isEmpty()) {
        listener.onToken(-1, rest);
      }
    }
    GenerationStats stats = new GenerationStats(input.length, count, prefillNanos, decodeNanos, decodeSteps);
    return new GenerationResult(input, Arrays.copyOf(generated, count), stops.text(), reason, stats);
  }

  /**
   * Feeds {@code ids} at the current position (prefill in batches) and leaves the logits of the last one in
   * the session; returns a copy of them.
   */
  public float[] feed(int[] ids) {
    ensureOpen();
    int[] input = withPending(ids);
    if (position + input.length > capacity) {
      throw new ContextLengthException(input.length + " tokens do not fit: the session holds " + position + " of "
          + capacity + " positions");
    }
    ingest(input);
    return Arrays.copyOf(logits, model.config().vocabSize());
  }

  /**
   * Feeds {@code ids} and returns the logits after every one of them, {@code (ids.length, vocab)} row-major:
   * for perplexity and evaluation.
   */
  public float[] feedAll(int[] ids) {
    ensureOpen();
    int[] input = withPending(ids);
    if (position + input.length > capacity) {
      throw new ContextLengthException(input.length + " tokens do not fit: the session holds " + position + " of "
          + capacity + " positions");
    }
    int vocab = model.config().vocabSize();
    float[] all = new float[input.length * vocab];
    float[] batchLogits = new float[Math.min(state.batch(), input.length) * vocab];
    for (int off = 0; off < input.length; off += state.batch()) {
      int n = Math.min(state.batch(), input.length - off);
      transformer.forward(input, off, n, position, cache, state, model.parallel(), batchLogits, true);
      System.arraycopy(batchLogits, 0, all, off * vocab, n * vocab);
      record(input, off, n);
    }
    if (input.length > 0) {
      System.arraycopy(all, (input.length - 1) * vocab, logits, 0, vocab);
    }
    return all;
  }

  private void ingest(int[] ids) {
    for (int off = 0; off < ids.length; off += state.batch()) {
      int n = Math.min(state.batch(), ids.length - off);
      transformer.forward(ids, off, n, position, cache, state, model.parallel(), logits, false);
      record(ids, off, n);
    }
  }

  private void record(int[] ids, int off, int n) {
    if (position + n > history.length) {
      history = Arrays.copyOf(history, Math.max(history.length * 2, position + n));
    }
    System.arraycopy(ids, off, history, position, n);
    position += n;
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
      throw new DrainException("session is closed");
    }
    model.ensureOpen();
  }

  @Override
  public void close() {
    closed = true;
  }
}
