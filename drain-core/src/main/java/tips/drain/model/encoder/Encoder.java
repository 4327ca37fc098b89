package tips.drain.model.encoder;

import static tips.drain.kernel.Kernels.KEY_TILE;

import java.util.Objects;
import tips.drain.kernel.Kernels;
import tips.drain.util.Parallel;

/**
 * The forward pass of a bidirectional, post-LayerNorm transformer encoder, as transformers' {@code BertModel}
 * computes it:
 * <pre>
 *   x = embeddingNorm(word(token) + position(offset + p) + tokenType(0))
 *   for each layer:  x = attentionNorm(x + o(attention(q(x), k(x), v(x))))     every token sees its whole text
 *                    x = outputNorm(x + output(act(intermediate(x))))
 * </pre>
 * Several texts run together: their tokens are the rows of one batch, so every projection is one matrix product
 * over all tokens of all texts (no padding), and attention runs per text and head, seeing only its own text.
 * Immutable and shared; callers bring their {@link EncoderState}.
 */
public final class Encoder {
  private final EncoderConfig config;
  private final EncoderWeights weights;
  private final Kernels kernels;
  /** Token type 0's embedding (single texts), or null. */
  private final float[] tokenType;

  public Encoder(EncoderConfig config, EncoderWeights weights, Kernels kernels) {
    this.config = Objects.requireNonNull(config);
    this.weights = Objects.requireNonNull(weights);
    this.kernels = Objects.requireNonNull(kernels);
    if (weights.layers().size() != config.numLayers()) {
      throw new IllegalArgumentException(weights.layers().size() + " layers of weights for " + config.numLayers() + " layers");
    }
    if (weights.tokenTypeEmbeddings() != null) {
      tokenType = new float[config.hiddenSize()];
      weights.tokenTypeEmbeddings().readRow(0, tokenType, 0);
    } else {
      tokenType = null;
    }
  }

  public EncoderConfig config() {
    return config;
  }

  public EncoderWeights weights() {
    return weights;
  }

  public Kernels kernels() {
    return kernels;
  }

  /**
   * Runs texts through the encoder together.
   *
   * @param tokens the token ids of every text, one text after another
   * @param starts text {@code i} is {@code tokens[starts[i] .. starts[i+1])}; {@code starts[0] == 0} and the last
   *     entry is {@code tokens.length}. No text is empty or longer than {@link EncoderConfig#maxTokens()}.
   * @return the last hidden states: row {@code t < tokens.length} ({@code hidden} floats) for token {@code t}, in a
   *     buffer of {@code state} (longer rows after them are scratch), valid until its next use
   */
  public float[] forward(int[] tokens, int[] starts, EncoderState state, Parallel parallel) {
    final int total = tokens.length;
    checkBatch(tokens, starts);
    state.ensure(total);
    embed(tokens, starts, state, parallel);
    for (EncoderLayerWeights layer : weights.layers()) {
      attentionBlock(layer, total, starts, state, parallel);
      feedForwardBlock(layer, total, state, parallel);
    }
    return state.x;
  }

  private void checkBatch(int[] tokens, int[] starts) {
    if (starts.length < 2 || starts[0] != 0 || starts[starts.length - 1] != tokens.length) {
      throw new IllegalArgumentException("text starts must run from 0 to " + tokens.length);
    }
    for (int i = 0; i + 1 < starts.length; i++) {
      int len = starts[i + 1] - starts[i];
      if (len < 1 || len > config.maxTokens()) {
        throw new IllegalArgumentException("text " + i + " has " + len + " tokens; 1 to " + config.maxTokens() + " fit");
      }
    }
    for (int token : tokens) {
      if (token < 0 || token >= config.vocabSize()) {
        throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + config.vocabSize() + ")");
      }
    }
  }

  /** {@code x[t] = norm(word(token_t) + position(offset + p_t) + tokenType(0))}. */
  private void embed(int[] tokens, int[] starts, EncoderState s, Parallel parallel) {
    final int hidden = config.hiddenSize();
    parallel.forRange(starts.length - 1, (from, to) -> {
      float[] row = new float[hidden];
      for (int i = from; i < to; i++) {
        for (int t = starts[i]; t < starts[i + 1]; t++) {
          int off = t * hidden;
          weights.wordEmbeddings().readRow(tokens[t], s.x, off);
          weights.positionEmbeddings().readRow(config.positionOffset() + t - starts[i], row, 0);
          kernels.add(s.x, off, row, 0, hidden);
          if (tokenType != null) {
            kernels.add(s.x, off, tokenType, 0, hidden);
          }
          LayerNormWeights n = weights.embeddingNorm();
          kernels.layerNorm(s.x, off, s.x, off, n.weight(), n.bias(), hidden, config.layerNormEps());
        }
      }
    });
  }

  /** {@code x = attentionNorm(x + o(attention(q(x), k(x), v(x))))}. */
  private void attentionBlock(EncoderLayerWeights layer, int total, int[] starts, EncoderState s, Parallel parallel) {
    project(layer.query(), s.x, total, s.q, parallel);
    project(layer.key(), s.x, total, s.k, parallel);
    project(layer.value(), s.x, total, s.v, parallel);
    final int heads = config.numHeads();
    final int texts = starts.length - 1;
    int longest = 0;
    for (int i = 0; i < texts; i++) {
      longest = Math.max(longest, starts[i + 1] - starts[i]);
    }
    final int maxLen = longest;
    parallel.forRange(texts * heads, (from, to) -> {
      AttentionScratch scratch = new AttentionScratch(maxLen, config.headDim());
      for (int task = from; task < to; task++) {
        int text = task / heads;
        attendHead(starts[text], starts[text + 1] - starts[text], task % heads, s, scratch);
      }
    });
    project(layer.attentionOutput(), s.context, total, s.q, parallel);
    addAndNorm(s.q, layer.attentionNorm(), total, s, parallel);
  }

  /** Per task: one head's queries, keys in the kernel's tile layout, scores and outputs of one text. */
  private static final class AttentionScratch {
    final float[] queries;
    final float[] keys;
    final float[] scores;
    final float[] out;

    AttentionScratch(int maxLen, int headDim) {
      queries = new float[maxLen * headDim];
      keys = new float[Kernels.keyTiles(maxLen) * headDim * KEY_TILE];
      scores = new float[maxLen * maxLen];
      out = new float[maxLen * headDim];
    }
  }

  /**
   * One head over one text of {@code len} tokens from row {@code start}: every token's query is one "head" of a
   * group of {@code len} sharing the text's keys and values, so {@link Kernels#attention} reads each key and value
   * once for all of them.
   */
  private void attendHead(int start, int len, int head, EncoderState s, AttentionScratch a) {
    final int hidden = config.hiddenSize();
    final int headDim = config.headDim();
    final int col = head * headDim;
    for (int p = 0; p < len; p++) {
      int row = (start + p) * hidden + col;
      System.arraycopy(s.q, row, a.queries, p * headDim, headDim);
      int k0 = Kernels.keyIndex(0, headDim, p);
      for (int d = 0; d < headDim; d++) {
        a.keys[k0 + d * KEY_TILE] = s.k[row + d];
      }
    }
    float scale = (float) (1.0 / Math.sqrt(headDim));
    kernels.attention(a.queries, 0, len, headDim, a.keys, 0, s.v, start * hidden + col, hidden, 0, len, scale, a.scores,
        a.out, 0);
    for (int p = 0; p < len; p++) {
      System.arraycopy(a.out, p * headDim, s.context, (start + p) * hidden + col, headDim);
    }
  }

  /** {@code x = outputNorm(x + output(act(intermediate(x))))}. */
  private void feedForwardBlock(EncoderLayerWeights layer, int total, EncoderState s, Parallel parallel) {
    final int ffn = config.intermediateSize();
    Linear in = layer.intermediate();
    in.weight().matmul(s.x, total, s.inner, parallel);
    parallel.forRange(total, (from, to) -> {
      for (int t = from; t < to; t++) {
        kernels.add(s.inner, t * ffn, in.bias(), 0, ffn);
        switch (config.activation()) {
          case GELU -> kernels.gelu(s.inner, t * ffn, ffn);
          case GELU_TANH -> kernels.geluTanh(s.inner, t * ffn, ffn);
        }
      }
    });
    project(layer.output(), s.inner, total, s.q, parallel);
    addAndNorm(s.q, layer.outputNorm(), total, s, parallel);
  }

  /** {@code out = W·x + b} for every token. */
  private void project(Linear linear, float[] x, int total, float[] out, Parallel parallel) {
    linear.weight().matmul(x, total, out, parallel);
    int n = linear.weight().rows();
    for (int t = 0; t < total; t++) {
      kernels.add(out, t * n, linear.bias(), 0, n);
    }
  }

  /** {@code x = norm(block + x)}, row by row. */
  private void addAndNorm(float[] block, LayerNormWeights norm, int total, EncoderState s, Parallel parallel) {
    final int hidden = config.hiddenSize();
    parallel.forRange(total, (from, to) -> {
      for (int t = from; t < to; t++) {
        int off = t * hidden;
        kernels.add(block, off, s.x, off, hidden);
        kernels.layerNorm(s.x, off, block, off, norm.weight(), norm.bias(), hidden, config.layerNormEps());
      }
    });
  }
}
