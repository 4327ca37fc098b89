package tips.drain.api;

/**
 * Timings of one generation.
 *
 * @param promptTokens tokens processed as the prompt
 * @param generatedTokens tokens generated
 * @param prefillNanos time of the prompt's forward passes
 * @param decodeNanos time of the generated tokens' forward passes and sampling
 * @param decodeSteps forward passes of single generated tokens
 */
public record GenerationStats(int promptTokens, int generatedTokens, long prefillNanos, long decodeNanos, int decodeSteps) {

  /** Prompt tokens per second. */
  public double prefillTokensPerSecond() {
    return prefillNanos == 0 ? 0 : promptTokens * 1e9 / prefillNanos;
  }

  /** Generated tokens per second (decode steps over their time). */
  public double decodeTokensPerSecond() {
    return decodeNanos == 0 ? 0 : decodeSteps * 1e9 / decodeNanos;
  }
}
