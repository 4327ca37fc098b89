package tips.drain.api;

/**
 * Per-session settings.
 *
 * @param contextLength positions the session's KV cache holds; 0 = the model's context length capped at
 *     {@link #DEFAULT_MAX_CONTEXT}
 * @param batchSize kept for compatibility and validated, but no longer used: sessions run on the model's engine,
 *     whose {@link tips.drain.engine.EngineOptions#stepTokens} sets the tokens of each forward step
 * @param adapter a LoRA adapter loaded onto the session's model ({@link LanguageModel#loadAdapter}) that the
 *     session runs with, or null to run the model's weights as loaded
 */
public record SessionOptions(int contextLength, int batchSize, Adapter adapter) {
  /** Upper bound of the default context, so that a 128k-context model does not allocate a 128k cache by default. */
  public static final int DEFAULT_MAX_CONTEXT = 4096;
  /**
   * Prompt tokens per forward call by default. Measured on a 2-core Zen 4, TinyLlama-1.1B shape, BF16: 128
   * prefills a 128-token prompt 9 % faster than 64, and 256 a 512-token prompt 9 % faster than 128 (512 no
   * faster); quantized weights are as fast at 64 and 256. The activations of a call are a few tens of MB.
   */
  public static final int DEFAULT_BATCH = 256;

  public SessionOptions {
    if (contextLength < 0) {
      throw new IllegalArgumentException("context length must be >= 0, got " + contextLength);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
  }

  /** Options without an adapter. */
  public SessionOptions(int contextLength, int batchSize) {
    this(contextLength, batchSize, null);
  }

  public static SessionOptions defaults() {
    return new SessionOptions(0, DEFAULT_BATCH);
  }

  public SessionOptions withContextLength(int n) {
    return new SessionOptions(n, batchSize, adapter);
  }

  public SessionOptions withBatchSize(int n) {
    return new SessionOptions(contextLength, n, adapter);
  }

  /** Runs the session with {@code adapter} (loaded onto the same model), or without one when null. */
  public SessionOptions withAdapter(Adapter adapter) {
    return new SessionOptions(contextLength, batchSize, adapter);
  }
}
