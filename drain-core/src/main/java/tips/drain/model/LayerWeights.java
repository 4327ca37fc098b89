package tips.drain.model;

import java.util.function.UnaryOperator;
import tips.drain.tensor.Matrix;

/**
 * One decoder layer:
 * <pre>
 *   x += attentionOutputNorm?(attention(attentionNorm(x)))
 *   x += feedForwardOutputNorm?(feedForward(feedForwardNorm(x)))
 * </pre>
 * (with {@link Residual#PARALLEL}, both read the layer's input x). Llama's {@code input_layernorm} is
 * {@code attentionNorm} and its {@code post_attention_layernorm} is {@code feedForwardNorm}; Gemma 2/3 add
 * {@code attentionOutputNorm} (their {@code post_attention_layernorm}) and {@code feedForwardOutputNorm}; Falcon-7B
 * uses its one {@code input_layernorm} as both input norms. The output norms are null when absent.
 */
public record LayerWeights(Norm attentionNorm, AttentionWeights attention, Norm attentionOutputNorm,
    Norm feedForwardNorm, FeedForward feedForward, Norm feedForwardOutputNorm) {

  /** A Llama layer: pre-norms only. */
  public LayerWeights(Norm inputNorm, AttentionWeights attention, Norm postAttentionNorm, FeedForward mlp) {
    this(inputNorm, attention, null, postAttentionNorm, mlp, null);
  }

  /** The same layer with every projection replaced by {@code f(projection)} (quantization, adapters). */
  public LayerWeights mapMatrices(UnaryOperator<Matrix> f) {
    return new LayerWeights(attentionNorm, attention.mapMatrices(f), attentionOutputNorm, feedForwardNorm,
        feedForward.mapMatrices(f), feedForwardOutputNorm);
  }

  /** This layer combined part by part with the same layer of another load (see {@link TransformerWeights#combine}). */
  public LayerWeights combine(LayerWeights other, TransformerWeights.Combiner c) {
    return new LayerWeights(Norm.combine(attentionNorm, other.attentionNorm, c), attention.combine(other.attention, c),
        Norm.combine(attentionOutputNorm, other.attentionOutputNorm, c), Norm.combine(feedForwardNorm, other.feedForwardNorm, c),
        feedForward.combine(other.feedForward, c), Norm.combine(feedForwardOutputNorm, other.feedForwardOutputNorm, c));
  }
}
