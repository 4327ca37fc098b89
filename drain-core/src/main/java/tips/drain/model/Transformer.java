package tips.drain.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.MatrixGroup;
import tips.drain.util.Parallel;

/**
 * The forward pass of a decoder-only transformer, as transformers' {@code LlamaModel.forward} computes it and
 * as the other families vary it:
 * <pre>
 *   x = embedNorm?(embed(tokens) * embeddingScale)                (Gemma: sqrt(hidden); BLOOM: a LayerNorm)
 *   for each layer:  x += outNorm?(o_proj(attention(rope(qNorm?(q_proj(norm(x)))), rope(kNorm?(..)), v_proj(..))))
 *                    x += outNorm?(mlp(norm(x)))          mlp: down(act(gate(x)) * up(x)), down(act(up(x))),
 *                                                         or a mixture of experts
 *   logits = softcap?(lm_head(norm(x)))
 * </pre>
 * What differs per family is data: the {@link ModelConfig} (RMSNorm or LayerNorm, sequential or parallel
 * residual, rotary or ALiBi positions, norm offset, scales, soft-caps, per-layer window and rope) and which
 * weights are present ({@link LayerWeights}: optional norms, biases, sinks, fused or separate q/k/v, gated, plain
 * or sparse MLP).
 * Immutable and shared by every session. A call processes a {@link Batch} of entries from any number of
 * sequences, each with its own {@link KvCache}, in one {@link ForwardState}; the single-sequence call (a prompt's
 * consecutive tokens, or one decode token) is its special case.
 */
public final class Transformer {
  private final ModelConfig config;
  private final TransformerWeights weights;
  private final Kernels kernels;
  /** The distinct rotary embeddings, and which one each layer uses. */
  private final Rope[] ropes;
  private final int[] ropeOfLayer;
  private final ExpertBlock experts;
  /** ALiBi's slope per query head, or null with rotary positions. */
  private final float[] alibiSlopes;
  /** Per layer, decode's q/k/v and gate/up products as one parallel region each ({@code null}: none). */
  private final MatrixGroup[] qkv;
  private final MatrixGroup[] gateUp;

  public Transformer(ModelConfig config, TransformerWeights weights, Kernels kernels) {
    this.config = Objects.requireNonNull(config);
    this.weights = Objects.requireNonNull(weights);
    this.kernels = Objects.requireNonNull(kernels);
    if (weights.layers().size() != config.numLayers()) {
      throw new IllegalArgumentException(weights.layers().size() + " layers of weights for " + config.numLayers() + " layers");
    }
    List<RopeConfig> distinct = distinctRopes(config);
    this.ropes = distinct.stream().map(Rope::new).toArray(Rope[]::new);
    this.ropeOfLayer = new int[config.numLayers()];
    for (int l = 0; l < ropeOfLayer.length; l++) {
      ropeOfLayer[l] = distinct.indexOf(config.layer(l).rope());
    }
    this.experts = new ExpertBlock(config, kernels);
    this.alibiSlopes = config.positions() == PositionEncoding.ALIBI ? Alibi.slopes(config.numHeads()) : null;
    this.qkv = new MatrixGroup[config.numLayers()];
    this.gateUp = new MatrixGroup[config.numLayers()];
    for (int l = 0; l < config.numLayers(); l++) {
      LayerWeights layer = weights.layers().get(l);
      AttentionWeights a = layer.attention();
      qkv[l] = a.fused() ? null : new MatrixGroup(a.wq(), a.wk(), a.wv());
      if (layer.feedForward() instanceof FeedForwardWeights f) {
        gateUp[l] = new MatrixGroup(f.gate(), f.up());
      }
    }
  }

  /** The distinct rotary embeddings of {@code config}'s layers, in order of first use (none with ALiBi). */
  static List<RopeConfig> distinctRopes(ModelConfig config) {
    List<RopeConfig> out = new ArrayList<>();
    if (config.positions() != PositionEncoding.ROPE) {
      return out;
    }
    for (LayerConfig l : config.layers()) {
      if (!out.contains(l.rope())) {
        out.add(l.rope());
      }
    }
    return out;
  }

  public ModelConfig config() {
    return config;
  }

  public TransformerWeights weights() {
    return weights;
  }

  public Kernels kernels() {
    return kernels;
  }

  /**
   * Runs {@code count} tokens of one sequence at positions {@code pos .. pos+count-1} through the model with the
   * {@linkplain Products#TILED tiled} products, writing their keys and values into {@code cache}: the single-sequence
   * special case of {@link #forward(Batch, KvCache[], ForwardState, Parallel, float[])}.
   *
   * @param tokens token ids, {@code tokens[offset .. offset+count)}
   * @param count at most {@code state.batch()} and {@code cache.maxBatch()}
   * @param logits receives logits: of the last token only ({@code vocab}), or with {@code allLogits} of every
   *     token ({@code (count, vocab)})
   */
  public void forward(int[] tokens, int offset, int count, int pos, KvCache cache, ForwardState state,
      Parallel parallel, float[] logits, boolean allLogits) {
    if (count < 1 || count > state.batch) {
      throw new IllegalArgumentException("batch of " + count + " tokens, state holds " + state.batch);
    }
    Batch batch = state.single;
    batch.clear();
    for (int b = 0; b < count; b++) {
      batch.add(0, pos + b, tokens[offset + b], allLogits || b == count - 1);
    }
    state.caches[0] = cache;
    forward(batch, state.caches, state, parallel, logits, Products.TILED);
  }

  /**
   * Runs a batch of entries from any number of sequences through the model with the
   * {@linkplain Products#INVARIANT batch-invariant} products: each entry's keys and values go to its sequence's
   * cache, each attends over its own sequence's cached positions, and every weight matrix is read once for all.
   *
   * @param caches the KV cache of each sequence number the batch uses
   * @param logits receives the logits of the entries that want them, {@code (batch.logitRows(), vocab)} in entry order
   */
  public void forward(Batch batch, KvCache[] caches, ForwardState state, Parallel parallel, float[] logits) {
    forward(batch, caches, state, parallel, logits, Products.INVARIANT);
  }

  /** The forward pass over {@code batch} with the products of {@code products}. */
  public void forward(Batch batch, KvCache[] caches, ForwardState state, Parallel parallel, float[] logits,
      Products products) {
    final ModelConfig c = config;
    final int hidden = c.hiddenSize();
    final int count = batch.size();
    final float[] x = state.x;
    check(batch, caches, state, logits);

    // x[b] = embed_tokens(token[b]) (* normalizer)
    for (int b = 0; b < count; b++) {
      weights.embedding().readRow(batch.token(b), x, b * hidden);
    }
    if (c.embeddingScale() != 1f) {
      kernels.scale(x, 0, count * hidden, c.embeddingScale());
    }
    // BLOOM: x = word_embeddings_layernorm(x)
    if (weights.embeddingNorm() != null) {
      for (int b = 0; b < count; b++) {
        norm(state.xb, b * hidden, x, b * hidden, weights.embeddingNorm(), hidden);
      }
      System.arraycopy(state.xb, 0, x, 0, count * hidden);
    }
    // the rotary angles of each entry's position, per rope variant, shared by the layers using it; a tiled
    // (single-sequence) pass takes a length-dependent scaling at the end of its run, as transformers does per call
    for (int r = 0; r < ropes.length; r++) {
      int half = ropes[r].rotaryDim() / 2;
      if (products == Products.TILED) {
        ropes[r].angles(batch.position(0), count, state.cos[r], state.sin[r]);
      } else {
        for (int b = 0; b < count; b++) {
          ropes[r].angles(batch.position(b), state.cos[r], state.sin[r], b * half);
        }
      }
    }

    for (int l = 0; l < c.numLayers(); l++) {
      LayerWeights layer = weights.layers().get(l);
      // Falcon: the MLP reads the layer's input, not x after the attention's residual add
      float[] mlpInput = x;
      if (c.residual() == Residual.PARALLEL) {
        mlpInput = state.layerInput();
        System.arraycopy(x, 0, mlpInput, 0, count * hidden);
      }
      attentionBlock(l, layer, batch, caches, state, parallel, products);
      feedForwardBlock(l, layer, count, mlpInput, state, parallel, products);
    }

    // logits = lm_head(norm(x)) for the entries that want them; then final soft-capping
    int rows = 0;
    for (int b = 0; b < count; b++) {
      if (batch.wantsLogits(b)) {
        norm(state.xb, rows++ * hidden, x, b * hidden, weights.finalNorm(), hidden);
      }
    }
    project(weights.lmHead(), state.xb, rows, logits, parallel, products);
    if (c.finalSoftcap() > 0) {
      perToken(products, rows, c.vocabSize(), (off, n) -> kernels.softcap(logits, off, n, c.finalSoftcap()));
    }
  }

  private void check(Batch batch, KvCache[] caches, ForwardState state, float[] logits) {
    int count = batch.size();
    if (count < 1 || count > state.batch) {
      throw new IllegalArgumentException("batch of " + count + " entries, state holds " + state.batch);
    }
    if (logits.length < (long) batch.logitRows() * config.vocabSize()) {
      throw new IllegalArgumentException("logits of " + logits.length + " floats for " + batch.logitRows() + " rows of "
          + config.vocabSize());
    }
    for (int b = 0; b < count; b++) {
      int token = batch.token(b);
      if (token < 0 || token >= config.vocabSize()) {
        throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + config.vocabSize() + ")");
      }
      int seq = batch.sequence(b);
      if (seq >= caches.length || caches[seq] == null) {
        throw new IllegalArgumentException("entry " + b + " of sequence " + seq + " has no KV cache");
      }
      KvCache cache = caches[seq];
      if (batch.position(b) >= cache.capacity()) {
        throw new IllegalArgumentException("position " + batch.position(b) + " exceeds the KV cache of " + cache.capacity());
      }
      if ((b == 0 || batch.sequence(b - 1) != seq) && batch.count(seq) > cache.maxBatch()) {
        throw new IllegalArgumentException(batch.count(seq) + " entries of sequence " + seq + " in one batch, its cache takes "
            + cache.maxBatch());
      }
    }
  }

  /** {@code out = w · in} for {@code count} tokens, with the products of {@code products}. */
  private static void project(Matrix w, float[] in, int count, float[] out, Parallel parallel, Products products) {
    if (count == 0) {
      return;
    }
    switch (products) {
      case INVARIANT -> w.matvecs(in, count, out, parallel);
      case TILED -> w.matmul(in, count, out, parallel);
    }
  }

  /** An element-wise op over {@code count} rows of {@code n}: row by row for invariant products, whose tails then fall the same way for every token. */
  private static void perToken(Products products, int count, int n, RowOp op) {
    if (products == Products.TILED) {
      op.apply(0, count * n);
      return;
    }
    for (int b = 0; b < count; b++) {
      op.apply(b * n, n);
    }
  }

  @FunctionalInterface
  private interface RowOp {
    void apply(int off, int n);
  }

  /** {@code x += outNorm?(o_proj(attention(...)))} for one layer. */
  private void attentionBlock(int l, LayerWeights layer, Batch batch, KvCache[] caches, ForwardState s, Parallel parallel,
      Products products) {
    final ModelConfig c = config;
    final int count = batch.size();
    final int hidden = c.hiddenSize();
    final int qDim = c.queryDim();
    final int kvDim = c.kvDim();
    final AttentionWeights a = layer.attention();

    // xb = input_layernorm(x)
    for (int b = 0; b < count; b++) {
      norm(s.xb, b * hidden, s.x, b * hidden, layer.attentionNorm(), hidden);
    }
    // q = q_proj(xb) (count, qDim); k, v = k_proj(xb), v_proj(xb) (count, kvDim)
    if (a.fused()) {
      // Falcon, BLOOM: one query_key_value product, its rows grouped per KV head, split per token
      float[] fused = s.fusedQkv();
      project(a.wq(), s.xb, count, fused, parallel, products);
      addBias(fused, a.bq(), count);
      FusedQkv.split(fused, count, c.numKvHeads(), c.groupSize(), c.headDim(), s.q, s.k, s.v);
    } else {
      if (count == 1) {
        qkv[l].matvec(s.xb, s.qkvOut, parallel);
      } else if (products == Products.INVARIANT) {
        qkv[l].matvecs(s.xb, count, s.qkvOut, parallel);
      } else {
        a.wq().matmul(s.xb, count, s.q, parallel);
        a.wk().matmul(s.xb, count, s.k, parallel);
        a.wv().matmul(s.xb, count, s.v, parallel);
      }
      addBias(s.q, a.bq(), count);
      addBias(s.k, a.bk(), count);
      addBias(s.v, a.bv(), count);
    }

    // q = q_norm(q), k = k_norm(k), per head (Qwen3, Gemma 3); then the rotary embedding of this layer (none with
    // ALiBi, which biases the scores instead)
    Rope rope = ropes.length == 0 ? null : ropes[ropeOfLayer[l]];
    for (int b = 0; b < count; b++) {
      if (a.qNorm() != null) {
        normHeads(s.q, b * qDim, c.numHeads(), a.qNorm(), s.head);
        normHeads(s.k, b * kvDim, c.numKvHeads(), a.kNorm(), s.head);
      }
      if (rope != null) {
        float[] cos = s.cos[ropeOfLayer[l]];
        float[] sin = s.sin[ropeOfLayer[l]];
        int half = rope.rotaryDim() / 2;
        rope.rotate(s.q, b * qDim, c.numHeads(), c.headDim(), cos, sin, b * half);
        rope.rotate(s.k, b * kvDim, c.numKvHeads(), c.headDim(), cos, sin, b * half);
      }
      caches[batch.sequence(b)].store(l, batch.position(b), s.k, b * kvDim, s.v, b * kvDim);
    }

    // attention of every entry over its sequence's cached positions that it may see, one KV head (and its group
    // of query heads) per task, so the group shares its key and value reads
    final int window = c.layer(l).slidingWindow();
    parallel.forRange(c.numKvHeads(), (from, to) -> {
      for (int kvHead = from; kvHead < to; kvHead++) {
        for (int b = 0; b < count; b++) {
          attendGroup(l, kvHead, batch.position(b), b, window, a.sinks(), caches[batch.sequence(b)], s);
        }
      }
    });

    // out = o_proj(attnOut); Gemma: out = post_attention_layernorm(out); x += out
    project(a.wo(), s.attnOut, count, s.xb2, parallel, products);
    addBias(s.xb2, a.bo(), count);
    residual(s, layer.attentionOutputNorm(), count);
  }

  /**
   * The query heads of one KV head at one position: {@code softmax(softcap?(q·K * scale)) · V} over the visible
   * positions: all earlier ones, or with a sliding window those with {@code 0 <= position - k < window}. They
   * are consecutive rows of the layer's cache from {@link KvCache#row} (a ring stores its rows twice for this).
   * ALiBi (BLOOM) adds each head's distance penalty to the scores; sinks (GPT-OSS) join each head's softmax.
   */
  private void attendGroup(int l, int kvHead, int position, int b, int window, float[] sinks, KvCache cache,
      ForwardState s) {
    final ModelConfig c = config;
    final int headDim = c.headDim();
    final int group = c.groupSize();
    final int start = window > 0 ? Math.max(0, position - window + 1) : 0;
    final int row = cache.row(l, start);
    final int qOff = b * c.queryDim() + kvHead * group * headDim;
    // each group has its own scores buffer, so threads never share one
    kernels.attention(s.q, qOff, group, headDim, cache.keys(l), cache.keyOffset(l, kvHead), cache.values(l),
        cache.valueOffset(l, kvHead), headDim, row, row + position - start + 1, c.attentionScale(), c.attentionSoftcap(),
        alibiSlopes, sinks, kvHead * group, s.scores[kvHead], s.attnOut, qOff);
  }

  /**
   * {@code x += outNorm?(mlp(norm(in)))}: a gated MLP, a plain one or a mixture of experts; {@code in} is x, or
   * with a parallel residual the layer's input.
   */
  private void feedForwardBlock(int l, LayerWeights layer, int count, float[] in, ForwardState s, Parallel parallel,
      Products products) {
    final int hidden = config.hiddenSize();
    final int ffn = config.intermediateSize();
    final Activation act = config.activation();
    // xb = post_attention_layernorm(x) (Gemma: pre_feedforward_layernorm; Falcon: its ln_mlp or input_layernorm)
    for (int b = 0; b < count; b++) {
      norm(s.xb, b * hidden, in, b * hidden, layer.feedForwardNorm(), hidden);
    }
    switch (layer.feedForward()) {
      case FeedForwardWeights f -> {
        // xb2 = down(act(gate(xb)) * up(xb))
        if (count == 1) {
          gateUp[l].matvec(s.xb, s.gateUpOut, parallel);
        } else if (products == Products.INVARIANT) {
          gateUp[l].matvecs(s.xb, count, s.gateUpOut, parallel);
        } else {
          f.gate().matmul(s.xb, count, s.hb, parallel);
          f.up().matmul(s.xb, count, s.hb2, parallel);
        }
        addBias(s.hb, f.bGate(), count);
        addBias(s.hb2, f.bUp(), count);
        perToken(products, count, ffn, (off, n) -> Activations.gated(kernels, act, s.hb, s.hb2, off, n));
        project(f.down(), s.hb, count, s.xb2, parallel, products);
        addBias(s.xb2, f.bDown(), count);
      }
      case PlainMlp m -> {
        // xb2 = down(act(up(xb)))
        project(m.up(), s.xb, count, s.hb, parallel, products);
        addBias(s.hb, m.bUp(), count);
        perToken(products, count, ffn, (off, n) -> Activations.plain(kernels, act, s.hb, off, n));
        project(m.down(), s.hb, count, s.xb2, parallel, products);
        addBias(s.xb2, m.bDown(), count);
      }
      case MixtureOfExperts moe -> experts.forward(moe, s.xb, count, s.xb2, s.experts, parallel, products);
    }
    // Gemma: out = post_feedforward_layernorm(out); x += out
    residual(s, layer.feedForwardOutputNorm(), count);
  }

  /** {@code x += outNorm?(xb2)}. */
  private void residual(ForwardState s, Norm outNorm, int count) {
    final int hidden = config.hiddenSize();
    if (outNorm == null) {
      kernels.add(s.x, 0, s.xb2, 0, count * hidden);
      return;
    }
    for (int b = 0; b < count; b++) {
      norm(s.xb, b * hidden, s.xb2, b * hidden, outNorm, hidden);
    }
    kernels.add(s.x, 0, s.xb, 0, count * hidden);
  }

  /** The model's norm: RMSNorm {@code x / rms(x) * (offset + w)}, or LayerNorm with its optional bias. */
  private void norm(float[] out, int outOff, float[] x, int xOff, Norm norm, int n) {
    switch (config.normKind()) {
      case RMS_NORM -> kernels.rmsnorm(out, outOff, x, xOff, norm.weight(), config.normWeightOffset(), n, config.rmsNormEps());
      case LAYER_NORM -> kernels.layerNorm(out, outOff, x, xOff, norm.weight(), norm.bias(), n, config.rmsNormEps());
    }
  }

  /** RMSNorm over each of {@code heads} heads of {@code x} starting at {@code off}, in place. */
  private void normHeads(float[] x, int off, int heads, float[] weight, float[] head) {
    final int headDim = config.headDim();
    for (int h = 0; h < heads; h++) {
      int o = off + h * headDim;
      System.arraycopy(x, o, head, 0, headDim);
      kernels.rmsnorm(x, o, head, 0, weight, config.normWeightOffset(), headDim, config.rmsNormEps());
    }
  }

  private void addBias(float[] out, float[] bias, int count) {
    if (bias == null) {
      return;
    }
    for (int b = 0; b < count; b++) {
      kernels.add(out, b * bias.length, bias, 0, bias.length);
    }
  }

  /** Bytes of weights one decode step reads. */
  public long decodeBytes() {
    return weights.decodeBytes();
  }

  /** The output head, for callers that need its shape. */
  public Matrix lmHead() {
    return weights.lmHead();
  }
}
