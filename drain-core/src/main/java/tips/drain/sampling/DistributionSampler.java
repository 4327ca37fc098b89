package tips.drain.sampling;

import java.util.Arrays;

/**
 * Repetition penalty, temperature, top-k, top-p and min-p over the logits, then a seeded draw, following
 * transformers' logits processors: top-k keeps every token tied with the k-th, top-p keeps the smallest set
 * of most likely tokens whose probabilities reach p (the token that crosses p included), min-p keeps tokens
 * whose probability is at least min-p times the largest.
 */
final class DistributionSampler implements Sampler {
  private final SamplingParams params;
  private final Xorshift random;
  private int[] order = new int[0];
  private float[] probs = new float[0];

  DistributionSampler(SamplingParams params) {
    this.params = params;
    this.random = new Xorshift(params.seed());
  }

  @Override
  public int sample(float[] logits, int vocab, int[] history, int historyLength) {
    applyRepetitionPenalty(logits, vocab, history, historyLength, params.repetitionPenalty());
    applyPresenceAndFrequency(logits, vocab, history, historyLength, params.presencePenalty(), params.frequencyPenalty());
    if (params.isGreedy()) {
      return Greedy.argmax(logits, vocab);
    }
    int n = candidates(logits, vocab);
    return draw(n);
  }

  /** CTRL penalty as transformers: a seen token's logit is divided by p if positive, multiplied if negative. */
  static void applyRepetitionPenalty(float[] logits, int vocab, int[] history, int length, float penalty) {
    if (penalty == 1f) {
      return;
    }
    boolean[] seen = new boolean[vocab];
    for (int i = 0; i < length; i++) {
      int id = history[i];
      if (id >= 0 && id < vocab && !seen[id]) {
        seen[id] = true;
        logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
      }
    }
  }

  /**
   * OpenAI's penalties: a token seen c times loses {@code c × frequency + presence} from its logit (c &gt; 0).
   */
  static void applyPresenceAndFrequency(float[] logits, int vocab, int[] history, int length, float presence,
      float frequency) {
    if (presence == 0f && frequency == 0f) {
      return;
    }
    int[] counts = new int[vocab];
    for (int i = 0; i < length; i++) {
      int id = history[i];
      if (id >= 0 && id < vocab) {
        counts[id]++;
      }
    }
    for (int id = 0; id < vocab; id++) {
      if (counts[id] > 0) {
        logits[id] -= counts[id] * frequency + presence;
      }
    }
  }

  /**
   * Leaves in {@code order[0..n)} the surviving token ids, most likely first, and in {@code probs[0..n)} their
   * probabilities, renormalized. Returns n.
   */
  int candidates(float[] logits, int vocab) {
    if (order.length < vocab) {
      order = new int[vocab];
      probs = new float[vocab];
    }
    float temperature = params.temperature();
    // softmax over all tokens at this temperature (max subtracted; double sums for stability)
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[i]);
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      float p = (float) Math.exp((logits[i] - max) / temperature);
      probs[i] = p;
      sum += p;
    }
    float[] unnormalized = probs;
    float pmax = (float) Math.exp(0.0);
    // Prefilter: only tokens that can survive the filters are sorted. Top-k survivors are among the k
    // largest; without top-k, a top-p survivor has probability >= (1 - p) / (vocab - 1) (llama2.c's bound), and
    // a min-p survivor >= minP * pmax.
    float floor = 0f;
    if (params.topK() == 0 && params.topP() < 1f && vocab > 1) {
      floor = (float) ((1.0 - params.topP()) / (vocab - 1) * sum);
    }
    if (params.minP() > 0f) {
      floor = Math.max(floor, pmax * params.minP());
    }
    int m = 0;
    for (int i = 0; i < vocab; i++) {
      if (unnormalized[i] >= floor) {
        order[m++] = i;
      }
    }
    if (params.topK() > 0 && params.topK() < m) {
      m = keepLargest(order, m, params.topK(), unnormalized);
    }
    Integer[] ids = new Integer[m];
    for (int i = 0; i < m; i++) {
      ids[i] = order[i];
    }
    Arrays.sort(ids, (a, b) -> Float.compare(unnormalized[b], unnormalized[a]));
    int n = m;
    // top-k: keep the k most likely, plus any tied with the k-th
    if (params.topK() > 0 && params.topK() < n) {
      float kth = unnormalized[ids[params.topK() - 1]];
      int k = params.topK();
      while (k < n && unnormalized[ids[k]] == kth) {
        k++;
      }
      n = k;
    }
    // the mass top-p is relative to: all tokens, or the top-k survivors (the prefilter only skips work)
    double kept = 0;
    if (params.topK() > 0 && params.topK() < vocab) {
      for (int i = 0; i < n; i++) {
        kept += unnormalized[ids[i]];
      }
    } else {
      kept = sum;
    }
    // top-p over the renormalized survivors
    if (params.topP() < 1f) {
      double cumulative = 0;
      int cut = n;
      for (int i = 0; i < n; i++) {
        cumulative += unnormalized[ids[i]] / kept;
        if (cumulative >= params.topP()) {
          cut = i + 1;
          break;
        }
      }
      n = cut;
    }
    kept = 0;
    for (int i = 0; i < n; i++) {
      kept += unnormalized[ids[i]];
    }
    // min-p relative to the most likely token
    if (params.minP() > 0f) {
      float threshold = unnormalized[ids[0]] * params.minP();
      int cut = 1;
      while (cut < n && unnormalized[ids[cut]] >= threshold) {
        cut++;
      }
      n = cut;
      kept = 0;
      for (int i = 0; i < n; i++) {
        kept += unnormalized[ids[i]];
      }
    }
    float[] result = new float[n];
    for (int i = 0; i < n; i++) {
      order[i] = ids[i];
      result[i] = (float) (unnormalized[ids[i]] / kept);
    }
    System.arraycopy(result, 0, probs, 0, n);
    return n;
  }

  /**
   * Keeps in {@code ids[0..)} the {@code k} entries with the largest {@code p[id]} plus every entry tied with
   * the k-th; returns how many. Order is not kept (the caller sorts).
   */
  static int keepLargest(int[] ids, int m, int k, float[] p) {
    float[] values = new float[m];
    for (int i = 0; i < m; i++) {
      values[i] = p[ids[i]];
    }
    Arrays.sort(values);
    float kth = values[m - k];
    int n = 0;
    for (int i = 0; i < m; i++) {
      if (p[ids[i]] >= kth) {
        ids[n++] = ids[i];
      }
    }
    return n;
  }

  private int draw(int n) {
    float r = random.nextFloat();
    float cdf = 0f;
    for (int i = 0; i < n; i++) {
      cdf += probs[i];
      if (r < cdf) {
        return order[i];
      }
    }
    return order[n - 1];
  }

  /** For tests: the surviving ids after {@link #candidates}. */
  int[] survivors(float[] logits, int vocab) {
    int n = candidates(logits, vocab);
    return Arrays.copyOf(order, n);
  }
}
