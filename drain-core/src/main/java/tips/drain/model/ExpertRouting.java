package tips.drain.model;

/**
 * The routing of a sparse mixture of experts as transformers' {@code MixtralSparseMoeBlock} computes it:
 * <pre>
 *   routing_weights = softmax(router_logits, dim=-1, dtype=float)    # over all experts
 *   routing_weights, selected_experts = topk(routing_weights, top_k)
 *   routing_weights /= routing_weights.sum(dim=-1, keepdim=True)      # renormalized (norm_topk_prob)
 * </pre>
 * Ties go to the lower expert index.
 */
public final class ExpertRouting {
  private ExpertRouting() {}

  /** What the chosen experts' weights are. */
  public enum Weighting {
    /**
     * Their probabilities renormalized to sum to 1 (Mixtral; Qwen3-MoE's {@code norm_topk_prob: true}; GPT-OSS,
     * whose softmax over the top-k logits is the same thing).
     */
    RENORMALIZED,
    /** Their probabilities under the softmax over all experts, as they are ({@code norm_topk_prob: false}). */
    PROBABILITIES
  }

  /** {@link #route(float[], int, int, int, float[], int[], float[], int, Weighting)}, renormalized. */
  public static void route(float[] logits, int off, int experts, int k, float[] probs, int[] chosen, float[] weights,
      int outOff) {
    route(logits, off, experts, k, probs, chosen, weights, outOff, Weighting.RENORMALIZED);
  }

  /**
   * Routes one token.
   *
   * @param logits router logits, {@code logits[off .. off + experts)}
   * @param probs scratch of at least {@code experts} floats
   * @param chosen receives the {@code k} chosen experts, best first, at {@code chosen[outOff ..]}
   * @param weights receives their routing weights at {@code weights[outOff ..]}
   * @param weighting renormalized (summing to 1) or the probabilities as they are
   */
  public static void route(float[] logits, int off, int experts, int k, float[] probs, int[] chosen, float[] weights,
      int outOff, Weighting weighting) {
    // softmax over all experts, in float
    float max = Float.NEGATIVE_INFINITY;
    for (int e = 0; e < experts; e++) {
      max = Math.max(max, logits[off + e]);
    }
    float sum = 0f;
    for (int e = 0; e < experts; e++) {
      probs[e] = (float) Math.exp(logits[off + e] - max);
      sum += probs[e];
    }
    for (int e = 0; e < experts; e++) {
      probs[e] /= sum;
    }
    // top-k by probability, ties to the lower index
    for (int j = 0; j < k; j++) {
      int best = -1;
      for (int e = 0; e < experts; e++) {
        if (!taken(chosen, outOff, j, e) && (best < 0 || probs[e] > probs[best])) {
          best = e;
        }
      }
      chosen[outOff + j] = best;
    }
    if (weighting == Weighting.PROBABILITIES) {
      for (int j = 0; j < k; j++) {
        weights[outOff + j] = probs[chosen[outOff + j]];
      }
      return;
    }
    // renormalize the chosen probabilities
    float chosenSum = 0f;
    for (int j = 0; j < k; j++) {
      chosenSum += probs[chosen[outOff + j]];
    }
    for (int j = 0; j < k; j++) {
      weights[outOff + j] = probs[chosen[outOff + j]] / chosenSum;
    }
  }

  private static boolean taken(int[] chosen, int off, int count, int expert) {
    for (int j = 0; j < count; j++) {
      if (chosen[off + j] == expert) {
        return true;
      }
    }
    return false;
  }
}
