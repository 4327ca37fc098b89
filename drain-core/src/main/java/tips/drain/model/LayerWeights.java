package tips.drain.model;

/** One decoder layer: pre-attention norm, attention, pre-MLP norm, MLP. */
public record LayerWeights(float[] inputNorm, AttentionWeights attention, float[] postAttentionNorm, FeedForwardWeights mlp) {}
