package tips.drain.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

  private static float[] random(Random rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }
}
