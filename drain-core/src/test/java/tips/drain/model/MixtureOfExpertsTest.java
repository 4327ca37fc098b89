package tips.drain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tips.drain.kernel.KernelProvider;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.DType;
import tips.drain.tensor.DenseMatrix;
import tips.drain.tensor.Matrix;
import tips.drain.util.Parallel;

/** Mixtral's routing (softmax over all, top-k, renormalized) and the parallel expert block against a plain loop. */
class MixtureOfExpertsTest {

  @Test
  void routesToTheTopKWithRenormalizedSoftmax() {
    float[] logits = {1, 2, 3, 0};
    int[] chosen = new int[2];
    float[] weights = new float[2];
    ExpertRouting.route(logits, 0, 4, 2, new float[4], chosen, weights, 0);
    assertArrayEquals(new int[] {2, 1}, chosen);
    // softmax over all four, then p2 / (p2 + p1): the other experts' mass cancels out
    assertEquals(1 / (1 + Math.exp(-1)), weights[0], 1e-7);
    assertEquals(1 / (1 + Math.exp(1)), weights[1], 1e-7);
  }

  @Test
  void tiesGoToTheLowerExpert() {
    int[] chosen = new int[3];
    float[] weights = new float[3];
    ExpertRouting.route(new float[] {0, 5, 1, 5, 5}, 0, 5, 3, new float[5], chosen, weights, 0);
    assertArrayEquals(new int[] {1, 3, 4}, chosen);
    assertArrayEquals(new float[] {1 / 3f, 1 / 3f, 1 / 3f}, weights, 1e-7f);
  }

  @Test
  @Tag("kernels")
  void parallelExpertsEqualAPlainLoop() {
    int hidden = 16;
    int ffn = 12;
    int experts = 4;
    int topK = 2;
    int batch = 5;
    Kernels kernels = KernelProvider.kernels();
    Random random = new Random(7);
    List<FeedForwardWeights> list = new ArrayList<>();
    for (int e = 0; e < experts; e++) {
      list.add(new FeedForwardWeights(dense(ffn, hidden, random, kernels), dense(ffn, hidden, random, kernels),
          dense(hidden, ffn, random, kernels), null, null, null));
    }
    MixtureOfExperts moe = new MixtureOfExperts(dense(experts, hidden, random, kernels), list, topK);
    ModelConfig c = ModelConfig.builder("test", "Test").sizes(hidden, ffn, 1, 10).heads(2, 1, 8).contextLength(16)
        .rmsNormEps(1e-5f).rope(new RopeConfig(10000, 8, RopeScaling.NONE)).experts(experts, topK).build();
    float[] x = new float[batch * hidden];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    float[] out = new float[batch * hidden];
    ForwardState state = new ForwardState(c, batch, 16);
    try (Parallel parallel = new Parallel(3)) {
      new ExpertBlock(c, kernels).forward(moe, x, batch, out, state.experts, parallel);
    }

    for (int b = 0; b < batch; b++) {
      float[] row = Arrays.copyOfRange(x, b * hidden, (b + 1) * hidden);
      float[] logits = new float[experts];
      moe.router().matvec(row, logits, 0, experts);
      int[] chosen = new int[topK];
      float[] weights = new float[topK];
      ExpertRouting.route(logits, 0, experts, topK, new float[experts], chosen, weights, 0);
      double[] expected = new double[hidden];
      for (int j = 0; j < topK; j++) {
        FeedForwardWeights f = list.get(chosen[j]);
        float[] g = new float[ffn];
        float[] u = new float[ffn];
        f.gate().matvec(row, g, 0, ffn);
        f.up().matvec(row, u, 0, ffn);
        for (int i = 0; i < ffn; i++) {
          g[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
        }
        float[] y = new float[hidden];
        f.down().matvec(g, y, 0, hidden);
        for (int i = 0; i < hidden; i++) {
          expected[i] += weights[j] * y[i];
        }
      }
      for (int i = 0; i < hidden; i++) {
        assertEquals(expected[i], out[b * hidden + i], 1e-5, "token " + b + " dim " + i);
      }
    }
  }

  private static Matrix dense(int rows, int cols, Random random, Kernels kernels) {
    float[] w = new float[rows * cols];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (random.nextGaussian() * 0.3);
    }
    MemorySegment data = Arena.ofAuto().allocate(4L * w.length, 64);
    MemorySegment.copy(w, 0, data, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, w.length);
    return new DenseMatrix(data, DType.F32, rows, cols, kernels);
  }
}
