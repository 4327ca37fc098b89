package tips.drain.model;

import java.util.List;

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
  /** [kv head] (groupSize, visible): attention scores of each KV head's group of query heads; visible = capacity,
   *  or the window if every layer slides. */
  final float[][] scores;
  /** (headDim): one head before its query/key norm. */
  final float[] head;
  /** (batch, ffn): gate activations of a dense MLP (a plain MLP's activations). */
  final float[] hb;
  /** (batch, ffn): up projections of a dense MLP. */
  final float[] hb2;
  /** [rope variant] (batch, rotaryDim / 2): cos and sin of each token's position. */
  final float[][] cos;
  final float[][] sin;
  /** Mixture of experts only, else null. */
  final ExpertState experts;
  /** {@code {q, k, v}} and {@code {hb, hb2}}: the outputs of decode's matrix groups. */
  final float[][] qkvOut;
  final float[][] gateUpOut;
  /** (batch, queryDim + 2·kvDim): outputs of a fused query_key_value, made on first use. */
  private float[] fusedQkv;
  /** (batch, hidden): the layer's input, which a parallel residual's MLP reads; made on first use. */
  private float[] layerInput;
  private final int qkvWidth;
  private final int hiddenSize;
  /** The batch and cache of {@link Transformer}'s single-sequence call. */
  final Batch single;
  final KvCache[] caches = new KvCache[1];

  public ForwardState(ModelConfig c, int batch, int capacity) {
    this.batch = batch;
    this.single = new Batch(batch);
    int hidden = c.hiddenSize();
    x = new float[batch * hidden];
    xb = new float[batch * hidden];
    xb2 = new float[batch * hidden];
    q = new float[batch * c.queryDim()];
    k = new float[batch * c.kvDim()];
    v = new float[batch * c.kvDim()];
    attnOut = new float[batch * c.queryDim()];
    int visible = capacity;
    if (c.layers().stream().allMatch(LayerConfig::isSliding)) {
      visible = Math.min(capacity, c.layers().stream().mapToInt(LayerConfig::slidingWindow).max().orElseThrow());
    }
    scores = new float[c.numKvHeads()][c.groupSize() * visible];
    head = new float[c.headDim()];
    boolean dense = c.hasDenseLayers();
    hb = dense ? new float[batch * c.intermediateSize()] : null;
    hb2 = dense ? new float[batch * c.intermediateSize()] : null;
    experts = c.isMixtureOfExperts() ? new ExpertState(c, batch) : null;
    qkvOut = new float[][] {q, k, v};
    gateUpOut = dense ? new float[][] {hb, hb2} : null;
    qkvWidth = c.queryDim() + 2 * c.kvDim();
    hiddenSize = hidden;
    List<RopeConfig> ropes = Transformer.distinctRopes(c);
    cos = new float[ropes.size()][];
    sin = new float[ropes.size()][];
    for (int r = 0; r < ropes.size(); r++) {
      cos[r] = new float[batch * (ropes.get(r).rotaryDim() / 2)];
      sin[r] = new float[batch * (ropes.get(r).rotaryDim() / 2)];
    }
  }

  /** The buffer of a fused query_key_value's outputs. */
  float[] fusedQkv() {
    if (fusedQkv == null) {
      fusedQkv = new float[batch * qkvWidth];
    }
    return fusedQkv;
  }

  /** The buffer holding a layer's input for a parallel residual. */
  float[] layerInput() {
    if (layerInput == null) {
      layerInput = new float[batch * hiddenSize];
    }
    return layerInput;
  }

  /** Tokens per forward call. */
  public int batch() {
    return batch;
  }

  /** Buffers of a sparse MLP: the routing of each token and, per expert, the rows of the tokens sent to it. */
  static final class ExpertState {
    /** (batch, experts): router logits. */
    final float[] routerLogits;
    /** (experts): softmax scratch of one token. */
    final float[] probs;
    /** (batch, topK): chosen experts and their weights. */
    final int[] chosen;
    final float[] weights;
    /** [expert] (batch): how many tokens go to each expert, which ones, and with what weight. */
    final int[] tokenCount;
    final int[][] tokens;
    final float[][] tokenWeights;
    /** (experts): the experts with at least one token, in index order. */
    final int[] active;
    /** [expert] (batch, hidden): inputs gathered for an expert, and its outputs. */
    final float[][] in;
    final float[][] out;
    /** [expert] (batch, ffn): gate and up projections of an expert. */
    final float[][] gate;
    final float[][] up;

    ExpertState(ModelConfig c, int batch) {
      int e = c.numExperts();
      routerLogits = new float[batch * e];
      probs = new float[e];
      chosen = new int[batch * c.numExpertsPerToken()];
      weights = new float[batch * c.numExpertsPerToken()];
      tokenCount = new int[e];
      tokens = new int[e][batch];
      tokenWeights = new float[e][batch];
      active = new int[e];
      in = new float[e][batch * c.hiddenSize()];
      out = new float[e][batch * c.hiddenSize()];
      gate = new float[e][batch * c.expertIntermediateSize()];
      up = new float[e][batch * c.expertIntermediateSize()];
    }
  }
}
