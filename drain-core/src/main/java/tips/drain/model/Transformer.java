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
 * Immutable and shared by every session; a session brings its {@link KvCache} and {@link ForwardState}. A call
 * processes a batch of consecutive tokens (prefill) or a single token (decode).
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
   * Runs {@code count} tokens at positions {@code pos .. pos+count-1} through the model, writing their keys
   * and values into {@code cache}.
   *
   * @param tokens token ids, {@code tokens[offset .. offset+count)}
   * @param count at most {@code state.batch()} and {@code cache.maxBatch()}
   * @param logits receives logits: of the last token only ({@code vocab}), or with {@code allLogits} of every
   *     token ({@code (count, vocab)})
   */
  public void forward(int[] tokens, int offset, int count, int pos, KvCache cache, ForwardState state,
      Parallel parallel, float[] logits, boolean allLogits) {
    final ModelConfig c = config;
    final int hidden = c.hiddenSize();
    final float[] x = state.x;
    if (count < 1 || count > state.batch || count > cache.maxBatch()) {
      throw new IllegalArgumentException("batch of " + count + " tokens, state holds " + state.batch + ", cache "
          + cache.maxBatch());
    }
    if (pos + count > cache.capacity()) {
      throw new IllegalArgumentException("positions up to " + (pos + count) + " exceed the KV cache of " + cache.capacity());
    }

    // x[b] = embed_tokens(token[b]) (* normalizer)
    for (int b = 0; b < count; b++) {
      int token = tokens[offset + b];
      if (token < 0 || token >= c.vocabSize()) {
        throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + c.vocabSize() + ")");
      }
      weights.embedding().readRow(token, x, b * hidden);
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
    // the rotary angles of each position, per rope variant, shared by the layers using it
    for (int r = 0; r < ropes.length; r++) {
      ropes[r].angles(pos, count, state.cos[r], state.sin[r]);
    }

    for (int l = 0; l < c.numLayers(); l++) {
      LayerWeights layer = weights.layers().get(l);
      // Falcon: the MLP reads the layer's input, not x after the attention's residual add
      float[] mlpInput = x;
      if (c.residual() == Residual.PARALLEL) {
        mlpInput = state.layerInput();
        System.arraycopy(x, 0, mlpInput, 0, count * hidden);
      }
      attentionBlock(l, layer, count, pos, cache, state, parallel);
      feedForwardBlock(l, layer, count, mlpInput, state, parallel);
    }

    // logits = lm_head(norm(x)) for the last token, or for all of them; then final soft-capping
    int first = allLogits ? 0 : count - 1;
    int rows = count - first;
    for (int b = first; b < count; b++) {
      norm(state.xb, (b - first) * hidden, x, b * hidden, weights.finalNorm(), hidden);
    }
    weights.lmHead().matmul(state.xb, rows, logits, parallel);
    if (c.finalSoftcap() > 0) {
      kernels.softcap(logits, 0, rows * c.vocabSize(), c.finalSoftcap());
    }
  }

  /** {@code x += outNorm?(o_proj(attention(...)))} for one layer. */
  private void attentionBlock(int l, LayerWeights layer, int count, int pos, KvCache cache, ForwardState s,
      Parallel parallel) {
    final ModelConfig c = config;
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
      if (count == 1) {
        a.wq().matvec(s.xb, fused, parallel);
      } else {
        a.wq().matmul(s.xb, count, fused, parallel);
      }
      addBias(fused, a.bq(), count);
      FusedQkv.split(fused, count, c.numKvHeads(), c.groupSize(), c.headDim(), s.q, s.k, s.v);
    } else {
      if (count == 1) {
        qkv[l].matvec(s.xb, s.qkvOut, parallel);
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
      cache.store(l, pos + b, s.k, b * kvDim, s.v, b * kvDim);
    }

    // attention of every new token over the cached positions it may see, one KV head (and its group of
    // query heads) per task, so the group shares its key and value reads
    final int window = c.layer(l).slidingWindow();
    parallel.forRange(c.numKvHeads(), (from, to) -> {
      for (int kvHead = from; kvHead < to; kvHead++) {
        for (int b = 0; b < count; b++) {
          attendGroup(l, kvHead, pos + b, b, window, a.sinks(), cache, s);
        }
      }
    });

    // out = o_proj(attnOut); Gemma: out = post_attention_layernorm(out); x += out
    a.wo().matmul(s.attnOut, count, s.xb2, parallel);
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
  private void feedForwardBlock(int l, LayerWeights layer, int count, float[] in, ForwardState s, Parallel parallel) {
    final int hidden = config.hiddenSize();
    // xb = post_attention_layernorm(x) (Gemma: pre_feedforward_layernorm; Falcon: its ln_mlp or input_layernorm)
    for (int b = 0; b < count; b++) {
      norm(s.xb, b * hidden, in, b * hidden, layer.feedForwardNorm(), hidden);
    }
    switch (layer.feedForward()) {
      case FeedForwardWeights f -> {
        // xb2 = down(act(gate(xb)) * up(xb))
        if (count == 1) {
          gateUp[l].matvec(s.xb, s.gateUpOut, parallel);
        } else {
          f.gate().matmul(s.xb, count, s.hb, parallel);
          f.up().matmul(s.xb, count, s.hb2, parallel);
        }
        addBias(s.hb, f.bGate(), count);
        addBias(s.hb2, f.bUp(), count);
        Activations.gated(kernels, config.activation(), s.hb, s.hb2, 0, count * config.intermediateSize());
        f.down().matmul(s.hb, count, s.xb2, parallel);
        addBias(s.xb2, f.bDown(), count);
      }
      case PlainMlp m -> {
        // xb2 = down(act(up(xb)))
        if (count == 1) {
          m.up().matvec(s.xb, s.hb, parallel);
        } else {
          m.up().matmul(s.xb, count, s.hb, parallel);
        }
        addBias(s.hb, m.bUp(), count);
        Activations.plain(kernels, config.activation(), s.hb, 0, count * config.intermediateSize());
        if (count == 1) {
          m.down().matvec(s.hb, s.xb2, parallel);
        } else {
          m.down().matmul(s.hb, count, s.xb2, parallel);
        }
        addBias(s.xb2, m.bDown(), count);
      }
      case MixtureOfExperts moe -> experts.forward(moe, s.xb, count, s.xb2, s.experts, parallel);
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
