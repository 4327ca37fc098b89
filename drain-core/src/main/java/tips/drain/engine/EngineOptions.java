package tips.drain.engine;

/**
 * How an {@link Engine} shares a model among sequences.
 *
 * @param slots sequences that run at once, each in a slot with its own KV cache (more wait in the queue)
 * @param queue requests that may wait for a slot; one more is refused ({@link EngineBusyException})
 * @param stepTokens the most tokens of one forward step: every generating sequence's next token, then chunks of
 *     pending prompts up to this budget (chunked prefill), so a long prompt never stalls the others' decoding
 * @param kvBudgetBytes the most bytes of KV caches held at once; free slots' caches are dropped (least recently
 *     used first) to make room, and a request whose cache alone exceeds it is refused
 */
public record EngineOptions(int slots, int queue, int stepTokens, long kvBudgetBytes) {
  /** Tokens per step by default: 16 sequences decoding leave 48 for prompt chunks. */
  public static final int DEFAULT_STEP_TOKENS = 64;

  public EngineOptions {
    if (slots < 1) {
      throw new IllegalArgumentException("slots must be >= 1, got " + slots);
    }
    if (queue < 0) {
      throw new IllegalArgumentException("queue must be >= 0, got " + queue);
    }
    if (stepTokens < 1) {
      throw new IllegalArgumentException("step tokens must be >= 1, got " + stepTokens);
    }
    if (kvBudgetBytes < 1) {
      throw new IllegalArgumentException("KV budget must be >= 1 byte, got " + kvBudgetBytes);
    }
  }

  /** 16 slots, 64 waiting, 64 tokens per step, KV caches up to half the heap. */
  public static EngineOptions defaults() {
    return new EngineOptions(16, 64, DEFAULT_STEP_TOKENS, Runtime.getRuntime().maxMemory() / 2);
  }

  public EngineOptions withSlots(int n) {
    return new EngineOptions(n, queue, stepTokens, kvBudgetBytes);
  }

  public EngineOptions withQueue(int n) {
    return new EngineOptions(slots, n, stepTokens, kvBudgetBytes);
  }

  public EngineOptions withStepTokens(int n) {
    return new EngineOptions(slots, queue, n, kvBudgetBytes);
  }

  public EngineOptions withKvBudgetBytes(long n) {
    return new EngineOptions(slots, queue, stepTokens, n);
  }
}
