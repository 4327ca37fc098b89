package tips.drain.model;

import tips.drain.tensor.Matrix;

/**
 * One layer's self-attention: projections {@code wq (queryDim, hidden)}, {@code wk}, {@code wv (kvDim, hidden)},
 * {@code wo (hidden, queryDim)}, and optional biases (null when absent).
 */
public record AttentionWeights(Matrix wq, Matrix wk, Matrix wv, Matrix wo, float[] bq, float[] bk, float[] bv, float[] bo) {}
