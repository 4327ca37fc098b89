package tips.drain.model;

import java.util.function.UnaryOperator;
import tips.drain.tensor.Matrix;

/**
 * One layer's self-attention: projections {@code wq (queryDim, hidden)}, {@code wk}, {@code wv (kvDim, hidden)},
 * {@code wo (hidden, queryDim)}, optional biases, optional per-head RMSNorm weights of queries and keys
 * ({@code headDim} each; Qwen3, Gemma 3) applied before the rotary embedding, and optional attention sinks
 * (GPT-OSS: one logit per query head that joins each softmax). Absent parts are null.
 *
 * <p>With {@link QkvLayout#FUSED_GROUPED} (Falcon's and BLOOM's {@code query_key_value}), {@code wq} is the fused
 * projection {@code (queryDim + 2·kvDim, hidden)} and {@code bq} its bias; {@code wk}, {@code wv}, {@code bk},
 * {@code bv} are null. The fused rows are kept as stored (one matrix, also for adapters and quantization) and its
 * outputs are split per token.
 */
public record AttentionWeights(Matrix wq, Matrix wk, Matrix wv, Matrix wo, float[] bq, float[] bk, float[] bv, float[] bo,
    float[] qNorm, float[] kNorm, float[] sinks, QkvLayout layout) {

  /**
   * How queries, keys and values come out of the projections.
   */
  public enum QkvLayout {
    /** Three matrices {@code wq}, {@code wk}, {@code wv}. */
    SEPARATE,
    /**
     * One matrix whose rows come per KV head {@code j}: the {@code groupSize} query heads of its group, then its key,
     * then its value. This is Falcon's layout in all three of its forms (multi-query: one group, {@code [q... | k | v]};
     * {@code new_decoder_architecture}: {@code [q q k v] × kvHeads}; multi-head: {@code [q k v] × heads}) and
     * BLOOM's per-head interleaved {@code [q_h k_h v_h]}.
     */
    FUSED_GROUPED
  }

  /** Attention without query/key norms or sinks. */
  public AttentionWeights(Matrix wq, Matrix wk, Matrix wv, Matrix wo, float[] bq, float[] bk, float[] bv, float[] bo) {
    this(wq, wk, wv, wo, bq, bk, bv, bo, null, null, null, QkvLayout.SEPARATE);
  }

  /** Separate projections with optional query/key norms. */
  public AttentionWeights(Matrix wq, Matrix wk, Matrix wv, Matrix wo, float[] bq, float[] bk, float[] bv, float[] bo,
      float[] qNorm, float[] kNorm) {
    this(wq, wk, wv, wo, bq, bk, bv, bo, qNorm, kNorm, null, QkvLayout.SEPARATE);
  }

  /** A fused {@code query_key_value} in the {@link QkvLayout#FUSED_GROUPED} layout, with optional biases. */
  public static AttentionWeights fusedGrouped(Matrix wqkv, float[] bqkv, Matrix wo, float[] bo) {
    return new AttentionWeights(wqkv, null, null, wo, bqkv, null, null, bo, null, null, null, QkvLayout.FUSED_GROUPED);
  }

  /** The same attention with {@code sinks} (one logit per query head). */
  public AttentionWeights withSinks(float[] sinkLogits) {
    return new AttentionWeights(wq, wk, wv, wo, bq, bk, bv, bo, qNorm, kNorm, sinkLogits, layout);
  }

  /** True when {@code wq} is the fused {@code query_key_value}. */
  public boolean fused() {
    return layout == QkvLayout.FUSED_GROUPED;
  }

  /** The same attention with every projection replaced by {@code f(projection)}. */
  public AttentionWeights mapMatrices(UnaryOperator<Matrix> f) {
    return new AttentionWeights(f.apply(wq), apply(f, wk), apply(f, wv), f.apply(wo), bq, bk, bv, bo, qNorm, kNorm, sinks,
        layout);
  }

  private static Matrix apply(UnaryOperator<Matrix> f, Matrix m) {
    return m == null ? null : f.apply(m);
  }

  /** This attention combined part by part with another's (see {@link TransformerWeights#combine}). */
  public AttentionWeights combine(AttentionWeights o, TransformerWeights.Combiner c) {
    return new AttentionWeights(c.matrix(wq, o.wq), wk == null ? null : c.matrix(wk, o.wk),
        wv == null ? null : c.matrix(wv, o.wv), c.matrix(wo, o.wo), c.vector(bq, o.bq), c.vector(bk, o.bk),
        c.vector(bv, o.bv), c.vector(bo, o.bo), c.vector(qNorm, o.qNorm), c.vector(kNorm, o.kNorm),
        c.vector(sinks, o.sinks), layout);
  }

  /** Bytes of the projections. */
  public long byteSize() {
    return wq.byteSize() + (wk == null ? 0 : wk.byteSize()) + (wv == null ? 0 : wv.byteSize()) + wo.byteSize();
  }
}
