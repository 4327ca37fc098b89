package tips.drain.sampling;

import java.util.Arrays;

/**
 * Repetition penalty, temperature, top-k, top-p and min-p over the logits, then a seeded draw, following
 * transformers' logits processors: top-k keeps every token tied with the k-th, top-p keeps the smallest set
 * of most likely tokens whose probabilities reach p (the token that crosses p included), min-p keeps tokens
 * whose probability is at least min-p times the largest.
 *
 * <p>Nothing is allocated per token once the buffers have the vocabulary's size: candidates are kept as
 * {@code long} keys (probability, then id) in a binary heap and taken out most likely first only as far as the
 * filters look (partial selection), so top-k and top-p cost {@code O(vocab + kept · log vocab)}, not a sort.
 */
final class DistributionSampler implements Sampler {
  private final SamplingParams params;
  private final Xorshift random;
  /** Probability of each id at the temperature, not normalized. */
  private float[] probs = new float[0];
  /** Candidate keys, a min-heap in {@code [0, heapSize)}: the most likely first, lower ids first among ties. */
  private long[] heap = new long[0];
  private int heapSize;
  /** The survivors taken out of the heap so far, most likely first, and (after the filters) their probabilities. */
  private int[] order = new int[0];
  private float[] survivorProbs = new float[0];
  private int taken;
  /** Repetition penalty: {@code seenStamp[id] == stamp} once id was penalized in this call. */
  private int[] seenStamp = new int[0];
  private int stamp;
  /** Presence and frequency penalties: occurrences of each id in the history, zero between calls. */
  private int[] counts = new int[0];

  DistributionSampler(SamplingParams params) {
    this.params = params;
    this.random = new Xorshift(params.seed());
  }

  @Override
  public int sample(float[] logits, int vocab, int[] history, int historyLength) {
    ensureCapacity(vocab);
    applyRepetitionPenalty(logits, vocab, history, historyLength);
    applyPresenceAndFrequency(logits, vocab, history, historyLength);
    if (params.isGreedy()) {
      return Greedy.argmax(logits, vocab);
    }
    int n = candidates(logits, vocab);
    return draw(n);
  }

  private void ensureCapacity(int vocab) {
    if (probs.length < vocab) {
      probs = new float[vocab];
      heap = new long[vocab];
      order = new int[vocab];
      survivorProbs = new float[vocab];
      seenStamp = new int[vocab];
      stamp = 0;
      counts = new int[vocab];
    }
  }

  /** CTRL penalty as transformers: a seen token's logit is divided by p if positive, multiplied if negative. */
  void applyRepetitionPenalty(float[] logits, int vocab, int[] history, int length) {
    float penalty = params.repetitionPenalty();
    if (penalty == 1f) {
      return;
    }
    ensureCapacity(vocab);
    if (++stamp == 0) { // wrapped after 2^32 calls: start the stamps over
      Arrays.fill(seenStamp, 0);
      stamp = 1;
    }
    for (int i = 0; i < length; i++) {
      int id = history[i];
      if (id >= 0 && id < vocab && seenStamp[id] != stamp) {
        seenStamp[id] = stamp;
        logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
      }
    }
  }

  /**
   * OpenAI's penalties: a token seen c times loses {@code c × frequency + presence} from its logit (c &gt; 0). The
   * counts live in a buffer of the vocabulary's size that is left all zero again.
   */
  void applyPresenceAndFrequency(float[] logits, int vocab, int[] history, int length) {
    float presence = params.presencePenalty();
    float frequency = params.frequencyPenalty();
    if (presence == 0f && frequency == 0f) {
      return;
    }
    ensureCapacity(vocab);
    for (int i = 0; i < length; i++) {
      int id = history[i];
      if (id >= 0 && id < vocab) {
        counts[id]++;
      }
    }
    for (int i = 0; i < length; i++) {
      int id = history[i];
      if (id >= 0 && id < vocab && counts[id] > 0) {
        logits[id] -= counts[id] * frequency + presence;
        counts[id] = 0;
      }
    }
  }

  /**
   * Leaves in {@code order[0..n)} the surviving token ids, most likely first, and in {@code survivorProbs[0..n)}
   * their probabilities, renormalized. Returns n.
   */
  int candidates(float[] logits, int vocab) {
    ensureCapacity(vocab);
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
    float pmax = 1f; // exp(0): the most likely token's unnormalized probability
    // Prefilter: only tokens that can survive the filters enter the heap. Without top-k, a top-p survivor has
    // probability >= (1 - p) / (vocab - 1) (llama2.c's bound), and a min-p survivor >= minP * pmax.
    float floor = 0f;
    if (params.topK() == 0 && params.topP() < 1f && vocab > 1) {
      floor = (float) ((1.0 - params.topP()) / (vocab - 1) * sum);
    }
    if (params.minP() > 0f) {
      floor = Math.max(floor, pmax * params.minP());
    }
    heapSize = 0;
    for (int i = 0; i < vocab; i++) {
      if (probs[i] >= floor) {
        heap[heapSize++] = key(probs[i], i);
      }
    }
    for (int i = heapSize / 2 - 1; i >= 0; i--) {
      siftDown(i);
    }
    taken = 0;
    int n = heapSize; // survivors so far; only order[0..taken) has been taken out
    // top-k: the k most likely, plus any tied with the k-th
    boolean topK = params.topK() > 0 && params.topK() < n;
    if (topK) {
      take(params.topK());
      float kth = probs[order[params.topK() - 1]];
      while (heapSize > 0 && probs[idOf(heap[0])] == kth) {
        take(taken + 1);
      }
      n = taken;
    }
    // the mass top-p is relative to: all tokens, or the top-k survivors (the prefilter only skips work)
    double kept;
    if (params.topK() > 0 && params.topK() < vocab) {
      take(n);
      kept = mass(n);
    } else {
      kept = sum;
    }
    if (params.topP() < 1f) {
      double cumulative = 0;
      int cut = n;
      for (int i = 0; i < n; i++) {
        take(i + 1);
        cumulative += probs[order[i]] / kept;
        if (cumulative >= params.topP()) {
          cut = i + 1;
          break;
        }
      }
      n = cut;
    }
    // min-p relative to the most likely token
    if (params.minP() > 0f) {
      take(1);
      float threshold = probs[order[0]] * params.minP();
      int cut = 1;
      while (cut < n) {
        take(cut + 1);
        if (probs[order[cut]] < threshold) {
          break;
        }
        cut++;
      }
      n = cut;
    }
    take(n);
    kept = mass(n);
    for (int i = 0; i < n; i++) {
      survivorProbs[i] = (float) (probs[order[i]] / kept);
    }
    return n;
  }

  private double mass(int n) {
    double m = 0;
    for (int i = 0; i < n; i++) {
      m += probs[order[i]];
    }
    return m;
  }

  /** Takes candidates out of the heap, most likely first, until {@code count} are in {@code order} (or none is left). */
  private void take(int count) {
    while (taken < count && heapSize > 0) {
      order[taken++] = idOf(heap[0]);
      heap[0] = heap[--heapSize];
      siftDown(0);
    }
  }

  private void siftDown(int i) {
    long k = heap[i];
    int half = heapSize >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      if (child + 1 < heapSize && heap[child + 1] < heap[child]) {
        child++;
      }
      if (k <= heap[child]) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = k;
  }

  /**
   * A key that orders by probability, largest first, then by id, smallest first. Probabilities are non-negative
   * floats (or NaN, which sorts first as with {@link Float#compare}), whose bit patterns order as their values.
   */
  private static long key(float p, int id) {
    int bits = Float.isNaN(p) ? Integer.MAX_VALUE : Float.floatToRawIntBits(p);
    return ((long) (Integer.MAX_VALUE - bits) << 32) | id;
  }

  private static int idOf(long key) {
    return (int) key;
  }

  private int draw(int n) {
    float r = random.nextFloat();
    float cdf = 0f;
    for (int i = 0; i < n; i++) {
      cdf += survivorProbs[i];
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
