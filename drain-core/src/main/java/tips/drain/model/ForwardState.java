package tips.drain.model;

/**
 * Scratch buffers of one forward pass over up to {@code batch} tokens, allocated once per session. Row
 * {@code b} of a buffer belongs to the {@code b}-th token of the batch.
 */
public final class ForwardState {
  final int batch;
  /** (batch, hidden): the residual stream. */
  final float[] x;
  /** (batch, hidden): normalized input of a block. */
  final float[] xb;
  /** (batch, hidden): output of a block before the residual add. */
  final float[] xb2;
  /** (batch, queryDim): queries. */
  final float[] q;
  /** (batch, kvDim): keys of the new tokens. */
  final float[] k;
  /** (batch, kvDim): values of the new tokens. */
  final float[] v;
  /** (batch, queryDim): attention output before o_proj. */
  final float[] attnOut;
  /** (numKvHeads)(groupSize, capacity): attention scores of each KV head's group of query heads. */
  final float[][] scores;
  /** (batch, ffn): gate activations. */
  final float[] hb;
  /** (batch, ffn): up projections. */
  final float[] hb2;
  /** (batch, rotaryDim / 2): cos and sin of each token's position. */
  final float[] cos;
  final float[] sin;

  public ForwardState(ModelConfig c, int batch, int capacity) {
    this.batch = batch;
    int hidden = c.hiddenSize();
    x = new float[batch * hidden];
    xb = new float[batch * hidden];
    xb2 = new float[batch * hidden];
    q = new float[batch * c.queryDim()];
    k = new float[batch * c.kvDim()];
    v = new float[batch * c.kvDim()];
    attnOut = new float[batch * c.queryDim()];
    scores = new float[c.numKvHeads()][c.groupSize() * capacity];
    hb = new float[batch * c.intermediateSize()];
    hb2 = new float[batch * c.intermediateSize()];
    cos = new float[batch * (c.rope().rotaryDim() / 2)];
    sin = new float[batch * (c.rope().rotaryDim() / 2)];
  }

  /** Tokens per forward call. */
  public int batch() {
    return batch;
  }
}
