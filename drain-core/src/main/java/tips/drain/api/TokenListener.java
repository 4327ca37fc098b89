package tips.drain.api;

/** Receives generated tokens as they come. Runs on the generating thread: return quickly. */
@FunctionalInterface
public interface TokenListener {
  /** A listener that ignores everything. */
  TokenListener NONE = (id, text) -> {};

  /**
   * @param id the token id
   * @param text the newly complete text (may be empty, e.g. half of a multi-byte character, or text held
   *     back while it may be the start of a stop string)
   */
  void onToken(int id, String text);

  /**
   * The log probabilities of the token about to be passed to {@link #onToken}, when the options ask for them
   * ({@link GenerationOptions#withLogprobs}); ignored by default.
   */
  default void onLogprobs(TokenLogprobs logprobs) {}
}
