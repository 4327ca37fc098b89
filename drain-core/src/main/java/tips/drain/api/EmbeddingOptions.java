package tips.drain.api;

import java.util.Objects;

/**
 * How an {@link EmbeddingModel} is loaded and runs.
 *
 * @param threads compute threads (default: available processors)
 * @param overLength what to do with a text over {@code max_seq_length} (default: {@link OverLength#FAIL})
 * @param maxSeqLength tokens per text at most, special tokens included; 0 takes sentence_bert_config.json's
 *     {@code max_seq_length}, else the model's position count
 * @param batchTokens tokens run through the encoder together at most (texts are grouped up to it; one longer text
 *     runs alone)
 */
public record EmbeddingOptions(int threads, OverLength overLength, int maxSeqLength, int batchTokens) {
  /** Default tokens per encoder pass. */
  public static final int DEFAULT_BATCH_TOKENS = 2048;

  public EmbeddingOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    Objects.requireNonNull(overLength, "overLength");
    if (maxSeqLength < 0) {
      throw new IllegalArgumentException("maxSeqLength must be 0 (the model's) or positive, got " + maxSeqLength);
    }
    if (batchTokens < 1) {
      throw new IllegalArgumentException("batchTokens must be at least 1, got " + batchTokens);
    }
  }

  /** All available cores, long texts refused, the model's max_seq_length, batches of 2048 tokens. */
  public static EmbeddingOptions defaults() {
    return new EmbeddingOptions(Runtime.getRuntime().availableProcessors(), OverLength.FAIL, 0, DEFAULT_BATCH_TOKENS);
  }

  public EmbeddingOptions withThreads(int n) {
    return new EmbeddingOptions(n, overLength, maxSeqLength, batchTokens);
  }

  public EmbeddingOptions withOverLength(OverLength policy) {
    return new EmbeddingOptions(threads, policy, maxSeqLength, batchTokens);
  }

  public EmbeddingOptions withMaxSeqLength(int tokens) {
    return new EmbeddingOptions(threads, overLength, tokens, batchTokens);
  }

  public EmbeddingOptions withBatchTokens(int tokens) {
    return new EmbeddingOptions(threads, overLength, maxSeqLength, tokens);
  }
}
