package tips.drain.model;

import java.util.function.UnaryOperator;
import tips.drain.tensor.Matrix;

/**
 * The MLP of a decoder layer: a dense gated MLP ({@link FeedForwardWeights}), a plain one ({@link PlainMlp}) or a
 * {@link MixtureOfExperts}.
 */
public sealed interface FeedForward permits FeedForwardWeights, PlainMlp, MixtureOfExperts {

  /** The same MLP with every matrix replaced by {@code f(matrix)}. */
  FeedForward mapMatrices(UnaryOperator<Matrix> f);

  /**
   * This MLP combined part by part with {@code other}, an MLP of the same kind and size (see
   * {@link TransformerWeights#combine}).
   */
  FeedForward combine(FeedForward other, TransformerWeights.Combiner c);

  /** Bytes one token reads from this MLP (a mixture of experts: the router and {@code topK} experts). */
  long decodeBytes();
}
