package tips.drain.api;

/**
 * Timings of one generation.
 *
 * @param promptTokens tokens processed as the prompt
 * @param generatedTokens tokens generated
 * @param prefillNanos time of the prompt's forward passes
 * @param decodeNanos time of the generated tokens' forward passes and sampling
 * @param decodeSteps forward passes of single generated tokens
 * @param cachedTokens prompt tokens found in a KV cache (a free slot holding the same start: a system prompt, the
 *     previous turn) and not computed again
 */
public record GenerationStats(int promptTokens, int generatedTokens, long prefillNanos, long decodeNanos, int decodeSteps,
    int cachedTokens) {

  /** Stats without cached tokens. */
  public GenerationStats(int promptTokens, int generatedTokens, long prefillNanos, long decodeNanos, int decodeSteps) {
    this(promptTokens, generatedTokens, prefillNanos, decodeNanos, decodeSteps, 0);
  }

  /** Prompt tokens per second. */
  public double prefillTokensPerSecond() {
    return prefillNanos == 0 ? 0 : promptTokens * 1e9 / prefillNanos;
  }

  /** Generated tokens per second (decode steps over their time). */
  public double decodeTokensPerSecond() {
    return decodeNanos == 0 ? 0 : decodeSteps * 1e9 / decodeNanos;
  }
}
