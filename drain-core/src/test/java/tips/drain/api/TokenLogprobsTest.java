package tips.drain.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TokenLogprobsTest {
  @Test
  void logSoftmaxOfChosenAndTopTokensMostLikelyFirstLowestIdOnTies() {
    float[] logits = {1f, 3f, 2f, 3f, -1f, 99f};
    double logSum = Math.log(Math.exp(1) + 2 * Math.exp(3) + Math.exp(2) + Math.exp(-1));
    TokenLogprobs lp = TokenLogprobs.of(logits, 5, 0, 3);
    assertEquals(0, lp.id());
    assertEquals(1 - logSum, lp.logprob(), 1e-6);
    assertArrayEquals(new int[] {1, 3, 2}, lp.topIds());
    assertArrayEquals(new float[] {(float) (3 - logSum), (float) (3 - logSum), (float) (2 - logSum)}, lp.topLogprobs(), 1e-6f);
    assertArrayEquals(new float[] {1f, 3f, 2f, 3f, -1f, 99f}, logits);
  }

  @Test
  void noTopTokensAndMoreThanTheVocabulary() {
    float[] logits = {0f, 0f};
    assertEquals(0, TokenLogprobs.of(logits, 2, 1, 0).topIds().length);
    assertArrayEquals(new int[] {0, 1}, TokenLogprobs.of(logits, 2, 1, 5).topIds());
    assertEquals(Math.log(0.5), TokenLogprobs.of(logits, 2, 1, 5).logprob(), 1e-6);
  }
}
