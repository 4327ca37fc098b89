package tips.drain.api;

/**
 * Per-session settings.
 *
 * @param contextLength positions the session's KV cache holds; 0 = the model's context length capped at
 *     {@link #DEFAULT_MAX_CONTEXT}
 * @param batchSize prompt tokens processed per forward call (prefill)
 */
public record SessionOptions(int contextLength, int batchSize) {
  /** Upper bound of the default context, so that a 128k-context model does not allocate a 128k cache by default. */
  public static final int DEFAULT_MAX_CONTEXT = 4096;

  public SessionOptions {
    if (contextLength < 0) {
      throw new IllegalArgumentException("context length must be >= 0, got " + contextLength);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
  }

  public static SessionOptions defaults() {
    return new SessionOptions(0, 64);
  }

  public SessionOptions withContextLength(int n) {
    return new SessionOptions(n, batchSize);
  }

  public SessionOptions withBatchSize(int n) {
    return new SessionOptions(contextLength, n);
  }
}
