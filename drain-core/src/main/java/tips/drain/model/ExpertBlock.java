package tips.drain.model;

import java.util.Arrays;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.Matrix;
import tips.drain.util.Parallel;

/**
 * The sparse MLP of a mixture-of-experts layer, as transformers' {@code MixtralSparseMoeBlock}:
 * <pre>
 *   router_logits = gate(x) (+ bias); weights, experts = route(router_logits)  (see ExpertRouting)
 *   out = sum over the chosen experts e, in expert order: weight_e * w2(act(w1(x)) * w3(x))
 * </pre>
 * Each expert runs once on the tokens routed to it (gathered into a batch). The experts run in parallel: the
 * rows of all active experts' matrices are split into one range per thread, so with two experts per token
 * each of two threads computes one expert.
 */
final class ExpertBlock {
  private final ModelConfig config;
  private final Kernels kernels;

  ExpertBlock(ModelConfig config, Kernels kernels) {
    this.config = config;
    this.kernels = kernels;
  }

  /** {@code out[b] = moe(xb[b])} for {@code b < count}. */
  void forward(MixtureOfExperts moe, float[] xb, int count, float[] out, ForwardState.ExpertState s, Parallel parallel) {
    forward(moe, xb, count, out, s, parallel, Products.TILED);
  }

  /** As above, with the products of {@code products} (each expert's tokens batch-invariant, or tiled). */
  void forward(MixtureOfExperts moe, float[] xb, int count, float[] out, ForwardState.ExpertState s, Parallel parallel,
      Products products) {
    final int hidden = config.hiddenSize();
    final int ffn = config.expertIntermediateSize();
    final int numExperts = moe.experts().size();
    final int k = moe.topK();

    // router_logits = gate(xb) (count, experts); route each token; gather the tokens of each expert
    if (products == Products.INVARIANT) {
      moe.router().matvecs(xb, count, s.routerLogits, parallel);
    } else {
      moe.router().matmul(xb, count, s.routerLogits, parallel);
    }
    Arrays.fill(s.tokenCount, 0);
    for (int b = 0; b < count; b++) {
      if (moe.routerBias() != null) {
        kernels.add(s.routerLogits, b * numExperts, moe.routerBias(), 0, numExperts);
      }
      ExpertRouting.route(s.routerLogits, b * numExperts, numExperts, k, s.probs, s.chosen, s.weights, b * k,
          config.expertWeighting());
      for (int j = 0; j < k; j++) {
        int e = s.chosen[b * k + j];
        int i = s.tokenCount[e]++;
        s.tokens[e][i] = b;
        s.tokenWeights[e][i] = s.weights[b * k + j];
        System.arraycopy(xb, b * hidden, s.in[e], i * hidden, hidden);
      }
    }
    int active = 0;
    for (int e = 0; e < numExperts; e++) {
      if (s.tokenCount[e] > 0) {
        s.active[active++] = e;
      }
    }

    // g, u = w1(in), w3(in) for every active expert: the rows of all of them split across the threads; then h = act(g) * u
    parallel.forRange(active * ffn, (from, to) -> {
      for (int a = from / ffn; a * ffn < to; a++) {
        int e = s.active[a];
        int r0 = Math.max(from - a * ffn, 0);
        int r1 = Math.min(to - a * ffn, ffn);
        FeedForwardWeights f = moe.experts().get(e);
        int n = s.tokenCount[e];
        project(f.gate(), s.in[e], n, s.gate[e], r0, r1, f.bGate(), products);
        project(f.up(), s.in[e], n, s.up[e], r0, r1, f.bUp(), products);
      }
    });
    // token by token over whole rows, so that no element's rounding depends on how the threads split the rows
    for (int a = 0; a < active; a++) {
      int e = s.active[a];
      for (int i = 0; i < s.tokenCount[e]; i++) {
        Activations.gated(kernels, config.activation(), s.gate[e], s.up[e], i * ffn, ffn);
      }
    }
    // y = w2(h) for every active expert, likewise
    parallel.forRange(active * hidden, (from, to) -> {
      for (int a = from / hidden; a * hidden < to; a++) {
        int e = s.active[a];
        int r0 = Math.max(from - a * hidden, 0);
        int r1 = Math.min(to - a * hidden, hidden);
        FeedForwardWeights f = moe.experts().get(e);
        project(f.down(), s.gate[e], s.tokenCount[e], s.out[e], r0, r1, f.bDown(), products);
      }
    });

    // out[b] = sum of weight * y over the token's experts, added in expert order as index_add_ does
    Arrays.fill(out, 0, count * hidden, 0f);
    for (int a = 0; a < active; a++) {
      int e = s.active[a];
      for (int i = 0; i < s.tokenCount[e]; i++) {
        kernels.axpy(s.tokenWeights[e][i], s.out[e], i * hidden, out, s.tokens[e][i] * hidden, hidden);
      }
    }
  }

  /** Rows {@code [r0, r1)} of {@code w · in} for {@code n} tokens, plus bias. */
  private static void project(Matrix w, float[] in, int n, float[] out, int r0, int r1, float[] bias, Products products) {
    if (n == 1) {
      w.matvec(in, out, r0, r1);
    } else if (products == Products.INVARIANT) {
      w.matvecs(in, n, out, r0, r1);
    } else {
      w.matmul(in, n, out, r0, r1);
    }
    if (bias != null) {
      int rows = w.rows();
      for (int i = 0; i < n; i++) {
        for (int r = r0; r < r1; r++) {
          out[i * rows + r] += bias[r];
        }
      }
    }
  }
}
