package tips.drain.sampling;

/** Argmax; the lowest id wins a tie. */
final class Greedy implements Sampler {
  static final Greedy INSTANCE = new Greedy();

  @Override
  public int sample(float[] logits, int vocab, int[] history, int historyLength) {
    return argmax(logits, vocab);
  }

  static int argmax(float[] logits, int vocab) {
    int best = 0;
    float max = logits[0];
    for (int i = 1; i < vocab; i++) {
      if (logits[i] > max) {
        max = logits[i];
        best = i;
      }
    }
    return best;
  }
}
