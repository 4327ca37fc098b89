package tips.drain.model;

/** How a forward pass multiplies its tokens with the weights. */
public enum Products {
  /**
   * Every token's products summed exactly as for that token alone ({@code Matrix.matvecs}): a sequence's logits do
   * not depend on the batch it runs in. What the engine runs.
   */
  INVARIANT,
  /**
   * Matrix × matrix kernels tiled for many tokens of one sequence (consecutive entries; a length-dependent rotary
   * scaling is taken at the end of the call's run): fastest for a long prompt, but a token's sums depend on how many
   * tokens share the call. For evaluation and benchmarks; the engine does not use it.
   */
  TILED
}
