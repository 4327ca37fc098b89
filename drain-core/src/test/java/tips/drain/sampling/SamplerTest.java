package tips.drain.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SamplerTest {
  /** Probabilities 0.4, 0.3, 0.15, 0.1, 0.05 at temperature 1, in a shuffled id order. */
  private static float[] logits() {
    float[] p = {0.1f, 0.4f, 0.05f, 0.3f, 0.15f};
    float[] l = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      l[i] = (float) Math.log(p[i]);
    }
    return l;
  }

  private static int[] survivors(SamplingParams params) {
    int[] s = new DistributionSampler(params).survivors(logits(), 5);
    return s;
  }

  private static final SamplingParams T1 = SamplingParams.GREEDY.withTemperature(1f);

  @Test
  void greedyTakesArgmaxAndLowestIdOnTies() {
    assertEquals(1, Sampler.create(SamplingParams.GREEDY).sample(logits(), 5, new int[0], 0));
    assertEquals(2, Sampler.create(SamplingParams.GREEDY).sample(new float[] {0, 1, 3, 3}, 4, new int[0], 0));
  }

  @Test
  void noFilterKeepsEverythingInProbabilityOrder() {
    assertArrayEquals(new int[] {1, 3, 4, 0, 2}, survivors(T1));
  }

  @Test
  void topKKeepsExactlyK() {
    assertArrayEquals(new int[] {1, 3}, survivors(T1.withTopK(2)));
    assertArrayEquals(new int[] {1}, survivors(T1.withTopK(1)));
  }

  @Test
  void topKKeepsTiesWithTheKth() {
    float[] l = {1f, 2f, 2f, 0f};
    int[] s = new DistributionSampler(T1.withTopK(1)).survivors(l, 4);
    assertArrayEquals(new int[] {1, 2}, s);
  }

  @Test
  void topPKeepsTheSmallestSetReachingP() {
    assertArrayEquals(new int[] {1, 3}, survivors(T1.withTopP(0.7f)), "0.4 + 0.3 reaches 0.7");
    assertArrayEquals(new int[] {1, 3, 4}, survivors(T1.withTopP(0.71f)), "needs the third token");
    assertArrayEquals(new int[] {1}, survivors(T1.withTopP(0.1f)), "the top token always stays");
  }

  @Test
  void minPIsRelativeToTheTopProbability() {
    assertArrayEquals(new int[] {1, 3, 4}, survivors(T1.withMinP(0.37f)), "0.15 >= 0.37 * 0.4");
    assertArrayEquals(new int[] {1, 3}, survivors(T1.withMinP(0.5f)));
  }

  @Test
  void filtersCompose() {
    assertArrayEquals(new int[] {1, 3}, survivors(T1.withTopK(3).withTopP(0.8f)), "top-p renormalizes over top-k: .4/.85+.3/.85 >= .8");
  }

  @Test
  void sameSeedSameTokensDifferentSeedDifferentTokens() {
    SamplingParams p = T1.withSeed(42);
    int[] a = draw(p, 200);
    int[] b = draw(p, 200);
    assertArrayEquals(a, b);
    assertNotEquals(Arrays.toString(a), Arrays.toString(draw(p.withSeed(43), 200)));
  }

  @Test
  void seededSequenceIsFixedAcrossMachines() {
    // the generator is xorshift64*, fully specified: these values must never change
    Xorshift r = new Xorshift(1234);
    int[] expected = {r.nextU32(), r.nextU32(), r.nextU32()};
    Xorshift again = new Xorshift(1234);
    assertArrayEquals(expected, new int[] {again.nextU32(), again.nextU32(), again.nextU32()});
    float f = new Xorshift(7).nextFloat();
    assertTrue(f >= 0f && f < 1f);
  }

  @Test
  void samplingFollowsTheDistribution() {
    int[] counts = new int[5];
    Sampler s = Sampler.create(T1.withSeed(3));
    int n = 20000;
    for (int i = 0; i < n; i++) {
      counts[s.sample(logits(), 5, new int[0], 0)]++;
    }
    double[] p = {0.1, 0.4, 0.05, 0.3, 0.15};
    for (int i = 0; i < 5; i++) {
      assertEquals(p[i], counts[i] / (double) n, 0.015, "frequency of token " + i);
    }
  }

  @Test
  void topKNeverDrawsOutsideTheSet() {
    Sampler s = Sampler.create(T1.withTopK(2).withSeed(9));
    for (int i = 0; i < 2000; i++) {
      int t = s.sample(logits(), 5, new int[0], 0);
      assertTrue(t == 1 || t == 3, "drew " + t);
    }
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegative() {
    float[] l = {2f, -2f, 1f};
    DistributionSampler.applyRepetitionPenalty(l, 3, new int[] {0, 1, 0}, 3, 2f);
    assertArrayEquals(new float[] {1f, -4f, 1f}, l);
    int t = Sampler.create(SamplingParams.GREEDY.withRepetitionPenalty(3f)).sample(new float[] {3f, 2f}, 2, new int[] {0}, 1);
    assertEquals(1, t);
  }

  @Test
  void invalidParametersAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> T1.withTopP(0f));
    assertThrows(IllegalArgumentException.class, () -> T1.withTopP(1.5f));
    assertThrows(IllegalArgumentException.class, () -> T1.withTemperature(-1f));
    assertThrows(IllegalArgumentException.class, () -> T1.withTopK(-1));
    assertThrows(IllegalArgumentException.class, () -> T1.withMinP(2f));
  }

  private static int[] draw(SamplingParams p, int n) {
    Sampler s = Sampler.create(p);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = s.sample(logits(), 5, new int[0], 0);
    }
    return out;
  }

  @Test
  void presenceAndFrequencyPenaltiesSubtractPerSeenTokenAndPerOccurrence() {
    float[] l = {1f, 2f, 3f, 4f};
    DistributionSampler.applyPresenceAndFrequency(l, 4, new int[] {3, 3, 1, 7, -1}, 5, 0.5f, 0.25f);
    assertArrayEquals(new float[] {1f, 2f - 0.75f, 3f, 4f - 1f}, l);
  }

  @Test
  void penaltiesChangeGreedyChoice() {
    // token 1 leads token 3 by log(0.4/0.3) = 0.29; seen twice at frequency 0.5 it loses 1.0 and token 3 wins
    SamplingParams p = SamplingParams.GREEDY.withFrequencyPenalty(0.5f);
    assertEquals(3, Sampler.create(p).sample(logits(), 5, new int[] {1, 1}, 2));
    assertEquals(1, Sampler.create(SamplingParams.GREEDY).sample(logits(), 5, new int[] {1, 1}, 2));
    assertThrows(IllegalArgumentException.class, () -> SamplingParams.GREEDY.withPresencePenalty(2.5f));
  }
}
