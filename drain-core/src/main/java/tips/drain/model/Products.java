package tips.drain.model;

/** How a forward pass multiplies its tokens with the weights. */
public enum Products {
  /**
   * Every token's products summed exactly as for that token alone ({@code Matrix.matvecs}): a sequence's logits do
   * not depend on the batch it runs in. What the engine runs.
   */
  INVARIANT,
  /**
   * Matrix × matrix kernels tiled for many tokens (a long prompt of one sequence): fastest for prefill, but a
   * token's sums depend on how many tokens share the call.
   */
  TILED
}
