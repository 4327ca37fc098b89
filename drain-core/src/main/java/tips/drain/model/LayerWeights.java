package tips.drain.model;

import java.util.function.UnaryOperator;
import tips.drain.tensor.Matrix;

/**
 * One decoder layer:
 * <pre>
 *   x += attentionOutputNorm?(attention(attentionNorm(x)))
 *   x += feedForwardOutputNorm?(feedForward(feedForwardNorm(x)))
 * </pre>
 * Llama's {@code input_layernorm} is {@code attentionNorm} and its {@code post_attention_layernorm} is
 * {@code feedForwardNorm}; Gemma 2/3 add {@code attentionOutputNorm} (their {@code post_attention_layernorm})
 * and {@code feedForwardOutputNorm}. The output norms are null when absent.
 */
public record LayerWeights(float[] attentionNorm, AttentionWeights attention, float[] attentionOutputNorm,
    float[] feedForwardNorm, FeedForward feedForward, float[] feedForwardOutputNorm) {

  /** A Llama layer: pre-norms only. */
  public LayerWeights(float[] inputNorm, AttentionWeights attention, float[] postAttentionNorm, FeedForward mlp) {
    this(inputNorm, attention, null, postAttentionNorm, mlp, null);
  }

  /** The same layer with every projection replaced by {@code f(projection)} (quantization, adapters). */
  public LayerWeights mapMatrices(UnaryOperator<Matrix> f) {
    return new LayerWeights(attentionNorm, attention.mapMatrices(f), attentionOutputNorm, feedForwardNorm,
        feedForward.mapMatrices(f), feedForwardOutputNorm);
  }

  /** This layer combined part by part with the same layer of another load (see {@link TransformerWeights#combine}). */
  public LayerWeights combine(LayerWeights other, TransformerWeights.Combiner c) {
    return new LayerWeights(c.vector(attentionNorm, other.attentionNorm), attention.combine(other.attention, c),
        c.vector(attentionOutputNorm, other.attentionOutputNorm), c.vector(feedForwardNorm, other.feedForwardNorm),
        feedForward.combine(other.feedForward, c), c.vector(feedForwardOutputNorm, other.feedForwardOutputNorm));
  }
}
