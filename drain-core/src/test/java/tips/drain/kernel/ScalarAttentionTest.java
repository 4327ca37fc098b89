package tips.drain.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The reference attention against the textbook formula in double precision, written out per head. */
class ScalarAttentionTest {

  @Test
  void matchesTextbookAttentionForEveryHeadOfTheGroup() {
    Random rnd = new Random(42);
    int heads = 3;
    int headDim = 8;
    int kvHeads = 2;
    int kvStride = kvHeads * headDim;
    int kvHead = 1;
    int from = 2;
    int to = 21;
    float[] keys = random(rnd, to * kvStride);
    float[] values = random(rnd, to * kvStride);
    float[] q = random(rnd, 1 + heads * headDim);
    float scale = 0.35f;
    float[] scores = new float[heads * (to - from)];
    float[] out = new float[heads * headDim];
    // the kernel takes the keys in tiles of positions, dimension by dimension within a tile
    new ScalarKernels().attention(q, 1, heads, headDim, KeyTiles.tile(keys, to, kvHeads, headDim), KeyTiles.offset(to, kvHead, headDim),
        values, kvHead * headDim, kvStride, from, to, scale, scores, out, 0);

    for (int h = 0; h < heads; h++) {
      double[] logits = new double[to - from];
      double max = Double.NEGATIVE_INFINITY;
      for (int p = from; p < to; p++) {
        double s = 0;
        for (int d = 0; d < headDim; d++) {
          s += (double) q[1 + h * headDim + d] * keys[p * kvStride + kvHead * headDim + d];
        }
        logits[p - from] = s * scale;
        max = Math.max(max, logits[p - from]);
      }
      double sum = 0;
      for (int i = 0; i < logits.length; i++) {
        logits[i] = Math.exp(logits[i] - max);
        sum += logits[i];
      }
      for (int d = 0; d < headDim; d++) {
        double o = 0;
        for (int p = from; p < to; p++) {
          o += logits[p - from] / sum * values[p * kvStride + kvHead * headDim + d];
        }
        assertEquals(o, out[h * headDim + d], 1e-5, "head " + h + " dim " + d);
      }
      for (int p = from; p < to; p++) {
        assertEquals(logits[p - from] / sum, scores[h * (to - from) + p - from], 1e-6, "weight of head " + h + " position " + p);
      }
    }
  }

  /**
   * ALiBi and sinks against the textbook formulas: ALiBi adds {@code slope · (key − query)} (BLOOM adds
   * {@code slope · key}, the same under a softmax without a sink), GPT-OSS appends a sink logit to each row
   * and drops its weight. Each term alone moves the outputs, so dropping it in the kernel fails this test.
   */
  @Test
  void alibiAndSinksMatchTheirTextbookFormulas() {
    Random rnd = new Random(7);
    int heads = 3;
    int headDim = 5;
    int kvStride = headDim;
    int from = 0;
    int to = 11;
    float[] keys = random(rnd, to * kvStride);
    float[] values = random(rnd, to * kvStride);
    float[] q = random(rnd, heads * headDim);
    float[] slopes = {0.9f, 0.5f, 0.25f, 0.125f};
    float[] sinks = {0f, 1.5f, -0.5f, 2f};
    int headOff = 1;
    float scale = 0.4f;
    for (int variant = 1; variant <= 3; variant++) {
      boolean alibi = (variant & 1) != 0;
      boolean sink = (variant & 2) != 0;
      float[] scores = new float[heads * (to - from)];
      float[] out = new float[heads * headDim];
      new ScalarKernels().attention(q, 0, heads, headDim, KeyTiles.tile(keys, to, 1, headDim), KeyTiles.offset(to, 0, headDim),
          values, 0, kvStride, from, to, scale, 0f, alibi ? slopes : null, sink ? sinks : null, headOff, scores, out, 0);
      double moved = 0;
      for (int h = 0; h < heads; h++) {
        double[] w = new double[to - from];
        double[] plain = new double[to - from];
        double max = sink ? sinks[headOff + h] : Double.NEGATIVE_INFINITY;
        for (int p = from; p < to; p++) {
          double s = 0;
          for (int d = 0; d < headDim; d++) {
            s += (double) q[h * headDim + d] * keys[p * kvStride + d];
          }
          plain[p - from] = s * scale;
          w[p - from] = s * scale + (alibi ? slopes[headOff + h] * (double) (p - (to - 1)) : 0);
          max = Math.max(max, w[p - from]);
        }
        double sum = sink ? Math.exp(sinks[headOff + h] - max) : 0;
        for (int i = 0; i < w.length; i++) {
          w[i] = Math.exp(w[i] - max);
          sum += w[i];
        }
        double plainMax = Arrays.stream(plain).max().orElseThrow();
        double plainSum = Arrays.stream(plain).map(x -> Math.exp(x - plainMax)).sum();
        for (int p = from; p < to; p++) {
          assertEquals(w[p - from] / sum, scores[h * (to - from) + p - from], 1e-6, "variant " + variant + " head " + h + " pos " + p);
          moved = Math.max(moved, Math.abs(w[p - from] / sum - Math.exp(plain[p - from] - plainMax) / plainSum));
        }
        for (int d = 0; d < headDim; d++) {
          double o = 0;
          for (int p = from; p < to; p++) {
            o += w[p - from] / sum * values[p * kvStride + d];
          }
          assertEquals(o, out[h * headDim + d], 1e-5, "variant " + variant + " head " + h + " dim " + d);
        }
      }
      assertTrue(moved > 0.01, "variant " + variant + " moves the attention weights: " + moved);
    }
  }

  private static float[] random(Random rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }
}
