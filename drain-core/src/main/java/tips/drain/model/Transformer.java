package tips.drain.model;

import java.util.Objects;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.Matrix;
import tips.drain.util.Parallel;

/**
 * The forward pass of a decoder-only transformer, as transformers' {@code LlamaModel.forward} computes it:
 * <pre>
 *   x = embed(tokens)
 *   for each layer:  x += o_proj(attention(rope(q_proj(norm(x))), rope(k_proj(..)), v_proj(..)))
 *                    x += down(silu(gate(norm(x))) * up(norm(x)))
 *   logits = lm_head(norm(x))
 * </pre>
 * Immutable and shared by every session; a session brings its {@link KvCache} and {@link ForwardState}.
 * A call processes a batch of consecutive tokens (prefill) or a single token (decode).
 */
public final class Transformer {
  private final ModelConfig config;
  private final TransformerWeights weights;
  private final Kernels kernels;
  private final Rope rope;
  private final float attentionScale;

  public Transformer(ModelConfig config, TransformerWeights weights, Kernels kernels) {
    this.config = Objects.requireNonNull(config);
    this.weights = Objects.requireNonNull(weights);
    this.kernels = Objects.requireNonNull(kernels);
    this.rope = new Rope(config.rope());
    this.attentionScale = (float) (1.0 / Math.sqrt(config.headDim()));
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
   * @param count at most {@code state.batch()}
   * @param logits receives logits: of the last token only ({@code vocab}), or with {@code allLogits} of every
   *     token ({@code (count, vocab)})
   */
  public void forward(int[] tokens, int offset, int count, int pos, KvCache cache, ForwardState state,
      Parallel parallel, float[] logits, boolean allLogits) {
    final ModelConfig c = config;
    final int hidden = c.hiddenSize();
    final float[] x = state.x;
    if (count < 1 || count > state.batch) {
      throw new IllegalArgumentException("batch of " + count + " tokens, state holds " + state.batch);
    }
    if (pos + count > cache.capacity()) {
      throw new IllegalArgumentException("positions up to " + (pos + count) + " exceed the KV cache of " + cache.capacity());
    }

    // x[b] = embed_tokens(token[b])
    for (int b = 0; b < count; b++) {
      int token = tokens[offset + b];
      if (token < 0 || token >= c.vocabSize()) {
        throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + c.vocabSize() + ")");
      }
      weights.embedding().readRow(token, x, b * hidden);
    }
    // the rotary angles of each position, shared by all layers
    int half = c.rope().rotaryDim() / 2;
    for (int b = 0; b < count; b++) {
      rope.angles(pos + b, state.cos, state.sin, b * half);
    }

    for (int l = 0; l < c.numLayers(); l++) {
      LayerWeights layer = weights.layers().get(l);
      attentionBlock(l, layer, count, pos, cache, state, parallel);
      feedForwardBlock(layer, count, state, parallel);
    }

    // logits = lm_head(norm(x)) for the last token, or for all of them
    int first = allLogits ? 0 : count - 1;
    int rows = count - first;
    for (int b = first; b < count; b++) {
      kernels.rmsnorm(state.xb, (b - first) * hidden, x, b * hidden, weights.finalNorm(), 0f, hidden, c.rmsNormEps());
    }
    weights.lmHead().matmul(state.xb, rows, logits, parallel);
  }

  /** {@code x += o_proj(attention(...))} for one layer. */
  private void attentionBlock(int l, LayerWeights layer, int count, int pos, KvCache cache, ForwardState s,
      Parallel parallel) {
    final ModelConfig c = config;
    final int hidden = c.hiddenSize();
    final int qDim = c.queryDim();
    final int kvDim = c.kvDim();
    AttentionWeights a = layer.attention();

    for (int b = 0; b < count; b++) {
      kernels.rmsnorm(s.xb, b * hidden, s.x, b * hidden, layer.inputNorm(), 0f, hidden, c.rmsNormEps());
    }
    // q = q_proj(xb) (count, qDim); k, v = k_proj(xb), v_proj(xb) (count, kvDim)
    a.wq().matmul(s.xb, count, s.q, parallel);
    a.wk().matmul(s.xb, count, s.k, parallel);
    a.wv().matmul(s.xb, count, s.v, parallel);
    addBias(s.q, a.bq(), count);
    addBias(s.k, a.bk(), count);
    addBias(s.v, a.bv(), count);

    int half = c.rope().rotaryDim() / 2;
    float[] keyCache = cache.keys(l);
    float[] valueCache = cache.values(l);
    for (int b = 0; b < count; b++) {
      rope.rotate(s.q, b * qDim, c.numHeads(), c.headDim(), s.cos, s.sin, b * half);
      rope.rotate(s.k, b * kvDim, c.numKvHeads(), c.headDim(), s.cos, s.sin, b * half);
      System.arraycopy(s.k, b * kvDim, keyCache, (pos + b) * kvDim, kvDim);
      System.arraycopy(s.v, b * kvDim, valueCache, (pos + b) * kvDim, kvDim);
    }

    // attention of every new token over the cached positions it may see, one KV head (and its group of
    // query heads) per task, so the group shares its key and value reads
    parallel.forRange(c.numKvHeads(), (from, to) -> {
      for (int kvHead = from; kvHead < to; kvHead++) {
        for (int b = 0; b < count; b++) {
          attendGroup(kvHead, pos + b, b, keyCache, valueCache, s);
        }
      }
    });

    // x += o_proj(attnOut)
    a.wo().matmul(s.attnOut, count, s.xb2, parallel);
    addBias(s.xb2, a.bo(), count);
    kernels.add(s.x, 0, s.xb2, 0, count * hidden);
  }

  /** The query heads of one KV head at one position: softmax(q·K / sqrt(d)) · V over the visible positions. */
  private void attendGroup(int kvHead, int position, int b, float[] keyCache, float[] valueCache, ForwardState s) {
    final ModelConfig c = config;
    final int headDim = c.headDim();
    final int group = c.groupSize();
    final int start = c.slidingWindow() > 0 ? Math.max(0, position - c.slidingWindow() + 1) : 0;
    final int qOff = b * c.queryDim() + kvHead * group * headDim;
    // each group has its own scores buffer, so threads never share one
    kernels.attention(s.q, qOff, group, headDim, keyCache, valueCache, kvHead * headDim, c.kvDim(), start, position + 1,
        attentionScale, s.scores[kvHead], s.attnOut, qOff);
  }

  /** {@code x += down(silu(gate(norm(x))) * up(norm(x)))}. */
  private void feedForwardBlock(LayerWeights layer, int count, ForwardState s, Parallel parallel) {
    final ModelConfig c = config;
    final int hidden = c.hiddenSize();
    final int ffn = c.intermediateSize();
    FeedForwardWeights f = layer.mlp();
    for (int b = 0; b < count; b++) {
      kernels.rmsnorm(s.xb, b * hidden, s.x, b * hidden, layer.postAttentionNorm(), 0f, hidden, c.rmsNormEps());
    }
    f.gate().matmul(s.xb, count, s.hb, parallel);
    f.up().matmul(s.xb, count, s.hb2, parallel);
    addBias(s.hb, f.bGate(), count);
    addBias(s.hb2, f.bUp(), count);
    kernels.siluMul(s.hb, s.hb2, 0, count * ffn);
    f.down().matmul(s.hb, count, s.xb2, parallel);
    addBias(s.xb2, f.bDown(), count);
    kernels.add(s.x, 0, s.xb2, 0, count * hidden);
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
