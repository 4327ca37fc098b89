package tips.drain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import tips.drain.kernel.ScalarKernels;

/** The small shared blocks of the new families against their definitions, written out. */
class FamilyBlocksTest {

  /** transformers' build_alibi_tensor: powers of two; the heads past the largest power of two interleave. */
  @Test
  void alibiSlopesAreBuildAlibiTensors() {
    assertArrayEquals(new float[] {0.5f, 0.25f, 0.125f, 0.0625f, 0.03125f, 0.015625f, 0.0078125f, 0.00390625f},
        Alibi.slopes(8));
    // 6 heads (tiny-bloom): 1/4, 1/16, 1/64, 1/256, then 1/2 and 1/8 from the series of 8
    assertArrayEquals(new float[] {0.25f, 0.0625f, 0.015625f, 0.00390625f, 0.5f, 0.125f}, Alibi.slopes(6));
    // 12 heads: 2^(-8(h+1)/8) = 2^-(h+1) for the first 8, then 2^(-4(2j+1)/8) = 2^-(j+0.5)
    float[] twelve = Alibi.slopes(12);
    for (int j = 0; j < 4; j++) {
      assertEquals(Math.pow(2, -(j + 0.5)), twelve[8 + j], 1e-7, "head " + (8 + j));
    }
    assertArrayEquals(new float[] {0.00390625f}, Alibi.slopes(1)); // 2^-8
  }

  /** Per KV head: its query heads, its key, its value; across tokens. */
  @Test
  void fusedQkvSplitsPerKvGroup() {
    int kvHeads = 2;
    int group = 3;
    int headDim = 2;
    int width = kvHeads * (group + 2) * headDim;
    float[] fused = new float[2 * width];
    for (int i = 0; i < fused.length; i++) {
      fused[i] = i;
    }
    float[] q = new float[2 * kvHeads * group * headDim];
    float[] k = new float[2 * kvHeads * headDim];
    float[] v = new float[2 * kvHeads * headDim];
    FusedQkv.split(fused, 2, kvHeads, group, headDim, q, k, v);
    // token 1, KV head 1: its group starts at 20 + 10; q 30..35, k 36..37, v 38..39
    assertArrayEquals(new float[] {30, 31, 32, 33, 34, 35}, Arrays.copyOfRange(q, 18, 24));
    assertArrayEquals(new float[] {36, 37}, Arrays.copyOfRange(k, 6, 8));
    assertArrayEquals(new float[] {38, 39}, Arrays.copyOfRange(v, 6, 8));
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, Arrays.copyOfRange(q, 0, 6));
    assertArrayEquals(new float[] {6, 7}, Arrays.copyOfRange(k, 0, 2));
  }

  /** GptOssExperts: gate clamped above only, up on both sides, (up + 1) · gate · σ(1.702 gate). */
  @Test
  void clampedSwigluIsGptOssExpertsActivation() {
    float[] gate = {-9f, -1f, 0f, 2.5f, 7f, 11f};
    float[] up = {-12f, 0.5f, 3f, -2f, 8f, -7.5f};
    float[] out = gate.clone();
    ScalarKernels.clampedSwigluMulScalar(out, up, 0, gate.length, 1.702f, 7f);
    for (int i = 0; i < gate.length; i++) {
      double g = Math.min(gate[i], 7);
      double u = Math.max(-7, Math.min(up[i], 7));
      double want = (u + 1) * g / (1 + Math.exp(-1.702 * g));
      assertEquals(want, out[i], 1e-5 * Math.max(1, Math.abs(want)), "element " + i);
    }
    assertEquals(-6 * 7 / (1 + Math.exp(-1.702 * 7)), out[5], 1e-5, "both clamps");
  }

  /** norm_topk_prob false keeps the softmax probabilities of the chosen experts as they are. */
  @Test
  void routingWeightsRenormalizedOrNot() {
    float[] logits = {0.1f, 2f, -1f, 1.5f};
    float[] probs = new float[4];
    int[] chosen = new int[2];
    float[] renormalized = new float[2];
    float[] raw = new float[2];
    ExpertRouting.route(logits, 0, 4, 2, probs, chosen, renormalized, 0, ExpertRouting.Weighting.RENORMALIZED);
    ExpertRouting.route(logits, 0, 4, 2, probs, chosen, raw, 0, ExpertRouting.Weighting.PROBABILITIES);
    double sum = Math.exp(0.1) + Math.exp(2) + Math.exp(-1) + Math.exp(1.5);
    assertArrayEquals(new int[] {1, 3}, chosen);
    assertEquals(Math.exp(2) / sum, raw[0], 1e-6);
    assertEquals(Math.exp(1.5) / sum, raw[1], 1e-6);
    assertEquals(Math.exp(2) / (Math.exp(2) + Math.exp(1.5)), renormalized[0], 1e-6);
  }
}
