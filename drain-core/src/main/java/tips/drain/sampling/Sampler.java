package tips.drain.sampling;

/** Chooses the next token from raw logits. Stateful (its random generator): one per generation. */
@FunctionalInterface
public interface Sampler {

  /**
   * @param logits raw logits, {@code logits[0 .. vocab)}; may be modified
   * @param vocab number of logits
   * @param history ids seen so far (prompt and generated), for the repetition penalty
   * @param historyLength how many of {@code history} are valid
   */
  int sample(float[] logits, int vocab, int[] history, int historyLength);

  /** The sampler for {@code params}: greedy for temperature 0. */
  static Sampler create(SamplingParams params) {
    return params.isGreedy() && !params.hasPenalties() ? Greedy.INSTANCE : new DistributionSampler(params);
  }
}
