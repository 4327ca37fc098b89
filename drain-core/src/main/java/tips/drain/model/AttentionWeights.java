package tips.drain.model;

import java.util.function.UnaryOperator;
import tips.drain.tensor.Matrix;

/**
 * One layer's self-attention: projections {@code wq (queryDim, hidden)}, {@code wk}, {@code wv (kvDim, hidden)},
 * {@code wo (hidden, queryDim)}, optional biases, and optional per-head RMSNorm weights of queries and keys
 * ({@code headDim} each; Qwen3, Gemma 3) applied before the rotary embedding. Absent parts are null.
 */
public record AttentionWeights(Matrix wq, Matrix wk, Matrix wv, Matrix wo, float[] bq, float[] bk, float[] bv, float[] bo,
    float[] qNorm, float[] kNorm) {

  /** Attention without query/key norms. */
  public AttentionWeights(Matrix wq, Matrix wk, Matrix wv, Matrix wo, float[] bq, float[] bk, float[] bv, float[] bo) {
    this(wq, wk, wv, wo, bq, bk, bv, bo, null, null);
  }

  /** The same attention with every projection replaced by {@code f(projection)}. */
  public AttentionWeights mapMatrices(UnaryOperator<Matrix> f) {
    return new AttentionWeights(f.apply(wq), f.apply(wk), f.apply(wv), f.apply(wo), bq, bk, bv, bo, qNorm, kNorm);
  }

  /** This attention combined part by part with another's (see {@link TransformerWeights#combine}). */
  public AttentionWeights combine(AttentionWeights o, TransformerWeights.Combiner c) {
    return new AttentionWeights(c.matrix(wq, o.wq), c.matrix(wk, o.wk), c.matrix(wv, o.wv), c.matrix(wo, o.wo),
        c.vector(bq, o.bq), c.vector(bk, o.bk), c.vector(bv, o.bv), c.vector(bo, o.bo), c.vector(qNorm, o.qNorm),
        c.vector(kNorm, o.kNorm));
  }

  /** Bytes of the projections. */
  public long byteSize() {
    return wq.byteSize() + wk.byteSize() + wv.byteSize() + wo.byteSize();
  }
}
