package tips.drain.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import tips.drain.tensor.Matrix;

/**
 * A sparse MLP (Mixtral's {@code block_sparse_moe}): {@code router (experts, hidden)} (plus {@code routerBias},
 * GPT-OSS; else null) scores the experts of each token, the {@code topK} best run, and their outputs are summed
 * with the routing weights (see {@link ExpertRouting}).
 */
public record MixtureOfExperts(Matrix router, float[] routerBias, List<FeedForwardWeights> experts, int topK)
    implements FeedForward {

  /** A router without bias. */
  public MixtureOfExperts(Matrix router, List<FeedForwardWeights> experts, int topK) {
    this(router, null, experts, topK);
  }

  public MixtureOfExperts {
    experts = List.copyOf(experts);
    if (router.rows() != experts.size()) {
      throw new IllegalArgumentException("router scores " + router.rows() + " experts, " + experts.size() + " given");
    }
    if (topK < 1 || topK > experts.size()) {
      throw new IllegalArgumentException("top-" + topK + " of " + experts.size() + " experts");
    }
  }

  /** The router keeps its precision (it is small and decides which experts run); the experts are mapped. */
  @Override
  public MixtureOfExperts mapMatrices(UnaryOperator<Matrix> f) {
    return new MixtureOfExperts(router, routerBias, experts.stream().map(e -> e.mapMatrices(f)).toList(), topK);
  }

  @Override
  public MixtureOfExperts combine(FeedForward other, TransformerWeights.Combiner c) {
    if (!(other instanceof MixtureOfExperts o) || o.experts.size() != experts.size()) {
      throw new IllegalArgumentException("cannot combine a mixture of " + experts.size() + " experts with " + other);
    }
    List<FeedForwardWeights> combined = new ArrayList<>(experts.size());
    for (int e = 0; e < experts.size(); e++) {
      combined.add(experts.get(e).combine(o.experts.get(e), c));
    }
    return new MixtureOfExperts(c.matrix(router, o.router), c.vector(routerBias, o.routerBias), combined, topK);
  }

  @Override
  public long decodeBytes() {
    return router.byteSize() + topK * experts.get(0).decodeBytes();
  }
}
