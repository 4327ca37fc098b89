package tips.drain.api;

import java.util.List;

/**
 * The vectors of several texts, in their order, and the tokens each one ran as (special tokens included, after
 * truncation).
 */
public record EmbeddingBatch(List<float[]> vectors, int[] tokenCounts) {

  public EmbeddingBatch {
    vectors = List.copyOf(vectors);
    tokenCounts = tokenCounts.clone();
  }

  /** Tokens of all texts together (what an API reports as usage). */
  public long totalTokens() {
    long n = 0;
    for (int c : tokenCounts) {
      n += c;
    }
    return n;
  }
}
