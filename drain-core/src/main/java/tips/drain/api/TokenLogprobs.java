package tips.drain.api;

/**
 * The log probabilities of one generated token under the model's distribution at its step: the log-softmax of
 * the raw logits, before penalties, temperature and filters (what OpenAI's {@code logprobs} report).
 *
 * @param id the generated token
 * @param logprob its log probability
 * @param topIds the most likely tokens, most likely first (as many as {@link GenerationOptions#logprobs()} asks)
 * @param topLogprobs their log probabilities
 */
public record TokenLogprobs(int id, float logprob, int[] topIds, float[] topLogprobs) {

  public TokenLogprobs {
    if (topIds.length != topLogprobs.length) {
      throw new IllegalArgumentException("top ids and top logprobs differ in length: " + topIds.length + " vs "
          + topLogprobs.length);
    }
    topIds = topIds.clone();
    topLogprobs = topLogprobs.clone();
  }

  @Override
  public int[] topIds() {
    return topIds.clone();
  }

  @Override
  public float[] topLogprobs() {
    return topLogprobs.clone();
  }

  /**
   * The log probabilities of {@code chosen} and of the {@code top} most likely tokens (lowest id first on ties)
   * in {@code logits[0 .. vocab)}, which are left as they are.
   */
  static TokenLogprobs of(float[] logits, int vocab, int chosen, int top) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[i]);
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += Math.exp(logits[i] - max);
    }
    float logSum = (float) (max + Math.log(sum));
    int k = Math.min(top, vocab);
    int[] ids = new int[k];
    float[] lps = new float[k];
    int filled = 0;
    for (int i = 0; i < vocab; i++) {
      float v = logits[i];
      if (filled == k && (k == 0 || v <= logits[ids[k - 1]])) {
        continue;
      }
      int at = Math.min(filled, k - 1);
      while (at > 0 && logits[ids[at - 1]] < v) {
        ids[at] = ids[at - 1];
        at--;
      }
      ids[at] = i;
      filled = Math.min(filled + 1, k);
    }
    for (int j = 0; j < k; j++) {
      lps[j] = logits[ids[j]] - logSum;
    }
    return new TokenLogprobs(chosen, logits[chosen] - logSum, ids, lps);
  }
}
