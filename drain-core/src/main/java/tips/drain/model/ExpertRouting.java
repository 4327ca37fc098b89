package tips.drain.model;

/**
 * The routing of a sparse mixture of experts as transformers' {@code MixtralSparseMoeBlock} computes it:
 * <pre>
 *   routing_weights = softmax(router_logits, dim=-1, dtype=float)    # over all experts
 *   routing_weights, selected_experts = topk(routing_weights, top_k)
 *   routing_weights /= routing_weights.sum(dim=-1, keepdim=True)      # renormalized over the chosen ones
 * </pre>
 * Ties go to the lower expert index.
 */
public final class ExpertRouting {
  private ExpertRouting() {}

  /**
   * Routes one token.
   *
   * @param logits router logits, {@code logits[off .. off + experts)}
   * @param probs scratch of at least {@code experts} floats
   * @param chosen receives the {@code k} chosen experts, best first, at {@code chosen[outOff ..]}
   * @param weights receives their routing weights (summing to 1) at {@code weights[outOff ..]}
   */
  public static void route(float[] logits, int off, int experts, int k, float[] probs, int[] chosen, float[] weights,
      int outOff) {
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
