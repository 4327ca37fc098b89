package tips.drain.model;

import java.util.List;
import java.util.function.UnaryOperator;
import tips.drain.tensor.Matrix;

/**
 * A sparse MLP (Mixtral's {@code block_sparse_moe}): {@code router (experts, hidden)} scores the experts of
 * each token, the {@code topK} best run, and their outputs are summed with the routing weights (see
 * {@link ExpertRouting}).
 */
public record MixtureOfExperts(Matrix router, List<FeedForwardWeights> experts, int topK) implements FeedForward {

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
    return new MixtureOfExperts(router, experts.stream().map(e -> e.mapMatrices(f)).toList(), topK);
  }

  @Override
  public long decodeBytes() {
    return router.byteSize() + topK * experts.get(0).decodeBytes();
  }
}
