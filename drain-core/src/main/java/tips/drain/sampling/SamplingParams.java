package tips.drain.sampling;

/**
 * How the next token is chosen. Temperature 0 means greedy (argmax, lowest id on a tie). Otherwise the
 * logits go through, in the order transformers applies them: repetition penalty, presence and frequency
 * penalties, temperature, top-k, top-p, min-p, then a draw from the remaining distribution with a seeded
 * generator. The penalties apply to greedy decoding too.
 *
 * @param temperature 0 for greedy, else &gt; 0
 * @param topK keep the k most likely tokens (0 = off)
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (1 = off)
 * @param minP keep tokens with probability ≥ minP × the top probability (0 = off)
 * @param repetitionPenalty CTRL-style penalty on tokens already seen (1 = off)
 * @param seed seed of the random generator; the same seed gives the same tokens on every machine
 * @param presencePenalty OpenAI's: subtracted once from the logit of every token already seen (0 = off)
 * @param frequencyPenalty OpenAI's: subtracted from a token's logit once per time it was seen (0 = off)
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty, long seed,
    float presencePenalty, float frequencyPenalty) {

  /** Greedy decoding. */
  public static final SamplingParams GREEDY = new SamplingParams(0f, 0, 1f, 0f, 1f, 0L);

  /** Without presence and frequency penalties. */
  public SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty, long seed) {
    this(temperature, topK, topP, minP, repetitionPenalty, seed, 0f, 0f);
  }

  public SamplingParams {
    check(temperature >= 0 && Float.isFinite(temperature), "temperature must be >= 0, got " + temperature);
    check(topK >= 0, "top-k must be >= 0, got " + topK);
    check(topP > 0 && topP <= 1, "top-p must be in (0, 1], got " + topP);
    check(minP >= 0 && minP <= 1, "min-p must be in [0, 1], got " + minP);
    check(repetitionPenalty > 0 && Float.isFinite(repetitionPenalty), "repetition penalty must be > 0, got " + repetitionPenalty);
    check(presencePenalty >= -2 && presencePenalty <= 2, "presence penalty must be in [-2, 2], got " + presencePenalty);
    check(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequency penalty must be in [-2, 2], got " + frequencyPenalty);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** E.g. {@code "greedy"} or {@code "temperature 0.6, top-p 0.9, seed 7"}. */
  public String describe() {
    StringBuilder b = new StringBuilder(isGreedy() ? "greedy" : "temperature " + temperature);
    if (!isGreedy()) {
      if (topK > 0) {
        b.append(", top-k ").append(topK);
      }
      if (topP < 1f) {
        b.append(", top-p ").append(topP);
      }
      if (minP > 0f) {
        b.append(", min-p ").append(minP);
      }
      b.append(", seed ").append(seed);
    }
    if (repetitionPenalty != 1f) {
      b.append(", repetition penalty ").append(repetitionPenalty);
    }
    if (presencePenalty != 0f) {
      b.append(", presence penalty ").append(presencePenalty);
    }
    if (frequencyPenalty != 0f) {
      b.append(", frequency penalty ").append(frequencyPenalty);
    }
    return b.toString();
  }

  public boolean isGreedy() {
    return temperature == 0f;
  }

  /** True if any penalty (repetition, presence, frequency) changes the logits before choosing. */
  public boolean hasPenalties() {
    return repetitionPenalty != 1f || presencePenalty != 0f || frequencyPenalty != 0f;
  }

  public SamplingParams withTemperature(float t) {
    return new SamplingParams(t, topK, topP, minP, repetitionPenalty, seed, presencePenalty, frequencyPenalty);
  }

  public SamplingParams withTopK(int k) {
    return new SamplingParams(temperature, k, topP, minP, repetitionPenalty, seed, presencePenalty, frequencyPenalty);
  }

  public SamplingParams withTopP(float p) {
    return new SamplingParams(temperature, topK, p, minP, repetitionPenalty, seed, presencePenalty, frequencyPenalty);
  }

  public SamplingParams withMinP(float p) {
    return new SamplingParams(temperature, topK, topP, p, repetitionPenalty, seed, presencePenalty, frequencyPenalty);
  }

  public SamplingParams withRepetitionPenalty(float r) {
    return new SamplingParams(temperature, topK, topP, minP, r, seed, presencePenalty, frequencyPenalty);
  }

  public SamplingParams withSeed(long s) {
    return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, s, presencePenalty, frequencyPenalty);
  }

  /** OpenAI's presence penalty, in [-2, 2]. */
  public SamplingParams withPresencePenalty(float p) {
    return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, seed, p, frequencyPenalty);
  }

  /** OpenAI's frequency penalty, in [-2, 2]. */
  public SamplingParams withFrequencyPenalty(float f) {
    return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, seed, presencePenalty, f);
  }
}
