package tips.drain.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A resolved, validated model configuration: every default applied, every size checked. Built from a
 * {@link HfConfig} by the model's {@link Architecture} (usually through {@link #builder}); computes nothing
 * heavy. The options that vary between families are plain data here, so one forward pass
 * ({@link Transformer}) runs them all.
 *
 * @param family the {@code model_type}, e.g. {@code "llama"}
 * @param architecture the class name from {@code architectures}, e.g. {@code "LlamaForCausalLM"}
 * @param hiddenSize model width ({@code hidden_size})
 * @param intermediateSize MLP width (of each expert, for a mixture of experts)
 * @param numLayers decoder layers
 * @param numHeads query heads
 * @param numKvHeads key/value heads (GQA: {@code numHeads % numKvHeads == 0})
 * @param headDim width of one head
 * @param vocabSize rows of the embedding and the output head
 * @param contextLength the longest sequence the model was trained for ({@code max_position_embeddings})
 * @param rmsNormEps epsilon of RMSNorm
 * @param rope rotary position embedding of the full-attention layers (see {@link #layers} for each layer's)
 * @param tieWordEmbeddings whether the output head is the embedding matrix
 * @param attentionBias q/k/v projections have biases
 * @param mlpBias MLP projections have biases
 * @param activation the MLP's activation
 * @param slidingWindow the configured attention window in tokens, 0 for none; which layers use it is in
 *     {@link #layers}
 * @param bosTokenId beginning-of-sequence id, -1 if none
 * @param eosTokenIds end-of-sequence ids (may be empty)
 * @param layers per-layer attention window and rotary embedding, {@code numLayers} entries
 * @param normWeightOffset RMSNorm multiplies by {@code normWeightOffset + w}: 0, or 1 for Gemma's {@code (1 + w)}
 * @param embeddingScale input embeddings are multiplied by this (Gemma: {@code sqrt(hidden)}), else 1
 * @param attentionScale attention scores are {@code q·k * attentionScale} (usually {@code 1/sqrt(headDim)})
 * @param attentionSoftcap scores become {@code cap * tanh(score / cap)} before masking and softmax; 0 for none
 * @param finalSoftcap logits become {@code cap * tanh(logit / cap)}; 0 for none
 * @param numExperts experts of each layer's sparse MLP, 0 for a dense MLP
 * @param numExpertsPerToken experts routed to per token (top-k), 0 for a dense MLP
 * @param expertIntermediateSize MLP width of each expert ({@code moe_intermediate_size}); the dense layers of a
 *     model that mixes both use {@code intermediateSize}
 * @param expertWeighting whether the chosen experts' probabilities are renormalized ({@code norm_topk_prob})
 * @param normKind RMSNorm or LayerNorm ({@code rmsNormEps} is then the LayerNorm's epsilon)
 * @param residual sequential or parallel attention and MLP
 * @param positions rotary embeddings or ALiBi
 */
public record ModelConfig(
    String family,
    String architecture,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int vocabSize,
    int contextLength,
    float rmsNormEps,
    RopeConfig rope,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean mlpBias,
    Activation activation,
    int slidingWindow,
    int bosTokenId,
    int[] eosTokenIds,
    List<LayerConfig> layers,
    float normWeightOffset,
    float embeddingScale,
    float attentionScale,
    float attentionSoftcap,
    float finalSoftcap,
    int numExperts,
    int numExpertsPerToken,
    int expertIntermediateSize,
    ExpertRouting.Weighting expertWeighting,
    NormKind normKind,
    Residual residual,
    PositionEncoding positions) {

  public ModelConfig {
    eosTokenIds = eosTokenIds.clone();
    layers = List.copyOf(layers);
    if (layers.size() != numLayers) {
      throw new IllegalArgumentException(layers.size() + " layer configs for " + numLayers + " layers");
    }
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(numHeads + " heads are not a multiple of " + numKvHeads + " key/value heads");
    }
    if ((numExperts == 0) != (numExpertsPerToken == 0) || numExpertsPerToken > numExperts) {
      throw new IllegalArgumentException("top-" + numExpertsPerToken + " of " + numExperts + " experts");
    }
    if (numExperts == 0 && layers.stream().anyMatch(l -> l.mlp() == LayerConfig.Mlp.SPARSE)) {
      throw new IllegalArgumentException("sparse layers without experts");
    }
  }

  /** True when some layer has a dense MLP ({@code intermediateSize} wide). */
  public boolean hasDenseLayers() {
    return layers.stream().anyMatch(l -> l.mlp() == LayerConfig.Mlp.DENSE);
  }

  /**
   * The Llama-style configuration: every layer full attention (or {@code slidingWindow}) with {@code rope},
   * plain RMSNorm, scores scaled by {@code 1/sqrt(headDim)}, no soft-capping, dense MLP.
   */
  public ModelConfig(String family, String architecture, int hiddenSize, int intermediateSize, int numLayers,
      int numHeads, int numKvHeads, int headDim, int vocabSize, int contextLength, float rmsNormEps, RopeConfig rope,
      boolean tieWordEmbeddings, boolean attentionBias, boolean mlpBias, Activation activation, int slidingWindow,
      int bosTokenId, int[] eosTokenIds) {
    this(family, architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize,
        contextLength, rmsNormEps, rope, tieWordEmbeddings, attentionBias, mlpBias, activation, slidingWindow, bosTokenId,
        eosTokenIds, Collections.nCopies(numLayers, new LayerConfig(slidingWindow, rope)), 0f, 1f,
        defaultAttentionScale(headDim), 0f, 0f, 0, 0, 0, ExpertRouting.Weighting.RENORMALIZED, NormKind.RMS_NORM,
        Residual.SEQUENTIAL, PositionEncoding.ROPE);
  }

  /**
   * This config with the rotary embedding of the model and of every layer replaced by {@code f(rope)} (e.g. the
   * frequency factors a GGUF file stores as a tensor).
   */
  public ModelConfig withRope(java.util.function.UnaryOperator<RopeConfig> f) {
    List<LayerConfig> perLayer = layers.stream()
        .map(l -> new LayerConfig(l.slidingWindow(), f.apply(l.rope()), l.mlp())).toList();
    return new ModelConfig(family, architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
        vocabSize, contextLength, rmsNormEps, f.apply(rope), tieWordEmbeddings, attentionBias, mlpBias, activation,
        slidingWindow, bosTokenId, eosTokenIds, perLayer, normWeightOffset, embeddingScale, attentionScale,
        attentionSoftcap, finalSoftcap, numExperts, numExpertsPerToken, expertIntermediateSize, expertWeighting,
        normKind, residual, positions);
  }

  /** {@code head_dim ** -0.5} in float, as transformers scales attention scores by default. */
  public static float defaultAttentionScale(double scalar) {
    return (float) Math.pow(scalar, -0.5);
  }

  /** A builder for {@code family}/{@code architecture}; see {@link Builder} for the defaults. */
  public static Builder builder(String family, String architecture) {
    return new Builder(family, architecture);
  }

  /** Width of all query heads together. */
  public int queryDim() {
    return numHeads * headDim;
  }

  /** Width of all key (or value) heads together. */
  public int kvDim() {
    return numKvHeads * headDim;
  }

  /** Query heads per key/value head. */
  public int groupSize() {
    return numHeads / numKvHeads;
  }

  /** True when the MLP of each layer is a sparse mixture of experts. */
  public boolean isMixtureOfExperts() {
    return numExperts > 0;
  }

  /** The configuration of layer {@code l}. */
  public LayerConfig layer(int l) {
    return layers.get(l);
  }

  @Override
  public int[] eosTokenIds() {
    return eosTokenIds.clone();
  }

  /**
   * The options of this model that differ from a plain Llama, in words, for {@code drain inspect}: e.g.
   * {@code "sliding window 8 on 2 of 3 layers"}, {@code "mixture of experts: top-2 of 8"}.
   */
  public List<String> features() {
    List<String> f = new ArrayList<>();
    long sliding = layers.stream().filter(LayerConfig::isSliding).count();
    if (sliding > 0) {
      int window = layers.stream().filter(LayerConfig::isSliding).findFirst().orElseThrow().slidingWindow();
      f.add("sliding window " + window + (sliding == numLayers ? " on all layers" : " on " + sliding + " of " + numLayers + " layers"));
    }
    if (isMixtureOfExperts()) {
      long dense = layers.stream().filter(l -> l.mlp() == LayerConfig.Mlp.DENSE).count();
      f.add("mixture of experts: top-" + numExpertsPerToken + " of " + numExperts
          + (expertWeighting == ExpertRouting.Weighting.PROBABILITIES ? ", weights not renormalized" : "")
          + (dense > 0 ? ", " + dense + " of " + numLayers + " layers dense" : ""));
    }
    if (normKind == NormKind.LAYER_NORM) {
      f.add("LayerNorm");
    }
    if (residual == Residual.PARALLEL) {
      f.add("parallel attention and MLP");
    }
    if (positions != PositionEncoding.ROPE) {
      f.add(positions == PositionEncoding.ALIBI ? "ALiBi positions (no rotary)" : "no position encoding");
    } else if (rope.scaling().type().equals("factors")) {
      f.add("rope scaling by per-frequency factors (GGUF rope_freqs)");
    } else if (!rope.scaling().type().equals("default")) {
      f.add("rope scaling " + rope.scaling().type() + " (factor " + rope.scaling().factor() + ")");
    }
    if (layers.stream().map(LayerConfig::rope).distinct().count() > 1) {
      f.add("per-layer rope: " + layers.stream().map(l -> l.rope().theta()).distinct().map(String::valueOf).toList());
    }
    if (positions == PositionEncoding.ROPE && rope.rotaryDim() < headDim) {
      f.add("partial rotary: " + rope.rotaryDim() + " of " + headDim + " dims");
    }
    if (attentionSoftcap > 0) {
      f.add("attention soft-cap " + attentionSoftcap);
    }
    if (finalSoftcap > 0) {
      f.add("final logit soft-cap " + finalSoftcap);
    }
    if (normWeightOffset != 0) {
      f.add("RMSNorm (" + normWeightOffset + " + w)");
    }
    if (embeddingScale != 1f) {
      f.add("embedding scale " + embeddingScale);
    }
    if (attentionScale != defaultAttentionScale(headDim)) {
      f.add("attention scale " + attentionScale);
    }
    if (attentionBias) {
      f.add("q/k/v bias");
    }
    if (mlpBias) {
      f.add("MLP bias");
    }
    if (tieWordEmbeddings) {
      f.add("tied embeddings");
    }
    return f;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelConfig c && toString().equals(c.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return "ModelConfig[" + family + "/" + architecture + ", hidden " + hiddenSize + ", ffn " + intermediateSize
        + ", layers " + numLayers + ", heads " + numHeads + "/" + numKvHeads + "x" + headDim + ", vocab " + vocabSize
        + ", context " + contextLength + ", eps " + rmsNormEps + ", " + rope + ", tied " + tieWordEmbeddings
        + ", bias " + attentionBias + "/" + mlpBias + ", " + activation + ", window " + slidingWindow
        + ", bos " + bosTokenId + ", eos " + Arrays.toString(eosTokenIds) + ", layers " + layers
        + ", norm offset " + normWeightOffset + ", embedding scale " + embeddingScale + ", attention scale "
        + attentionScale + ", softcap " + attentionSoftcap + "/" + finalSoftcap + ", experts " + numExpertsPerToken
        + "/" + numExperts + " x" + expertIntermediateSize + " " + expertWeighting + ", " + normKind + ", " + residual + ", "
        + positions + "]";
  }

  /**
   * Assembles a {@link ModelConfig}. Defaults: no biases, SiLU, no window, plain RMSNorm, no embedding scale,
   * scores scaled by {@code headDim ** -0.5}, no soft-capping, dense MLP, every layer with {@link #rope}
   * and {@link #slidingWindow} unless {@link #layers} is set.
   */
  public static final class Builder {
    private final String family;
    private final String architecture;
    private int hiddenSize;
    private int intermediateSize;
    private int numLayers;
    private int numHeads;
    private int numKvHeads;
    private int headDim;
    private int vocabSize;
    private int contextLength;
    private float rmsNormEps;
    private RopeConfig rope;
    private boolean tieWordEmbeddings;
    private boolean attentionBias;
    private boolean mlpBias;
    private Activation activation = Activation.SILU;
    private int slidingWindow;
    private int bosTokenId = -1;
    private int[] eosTokenIds = new int[0];
    private List<LayerConfig> layers;
    private float normWeightOffset;
    private float embeddingScale = 1f;
    private Float attentionScale;
    private float attentionSoftcap;
    private float finalSoftcap;
    private int numExperts;
    private int numExpertsPerToken;
    private int expertIntermediateSize;
    private ExpertRouting.Weighting expertWeighting = ExpertRouting.Weighting.RENORMALIZED;
    private NormKind normKind = NormKind.RMS_NORM;
    private Residual residual = Residual.SEQUENTIAL;
    private PositionEncoding positions = PositionEncoding.ROPE;
    private Set<Integer> denseLayers = Set.of();

    private Builder(String family, String architecture) {
      this.family = Objects.requireNonNull(family);
      this.architecture = Objects.requireNonNull(architecture);
    }

    public Builder sizes(int hidden, int intermediate, int layers, int vocab) {
      this.hiddenSize = hidden;
      this.intermediateSize = intermediate;
      this.numLayers = layers;
      this.vocabSize = vocab;
      return this;
    }

    public Builder heads(int heads, int kvHeads, int headDim) {
      this.numHeads = heads;
      this.numKvHeads = kvHeads;
      this.headDim = headDim;
      return this;
    }

    public Builder contextLength(int n) {
      this.contextLength = n;
      return this;
    }

    public Builder rmsNormEps(float eps) {
      this.rmsNormEps = eps;
      return this;
    }

    public Builder rope(RopeConfig r) {
      this.rope = r;
      return this;
    }

    public Builder tieWordEmbeddings(boolean tied) {
      this.tieWordEmbeddings = tied;
      return this;
    }

    public Builder attentionBias(boolean b) {
      this.attentionBias = b;
      return this;
    }

    public Builder mlpBias(boolean b) {
      this.mlpBias = b;
      return this;
    }

    public Builder activation(Activation a) {
      this.activation = a;
      return this;
    }

    /** The window every layer uses unless {@link #layers} says otherwise. */
    public Builder slidingWindow(int window) {
      this.slidingWindow = window;
      return this;
    }

    public Builder specialTokens(int bos, int[] eos) {
      this.bosTokenId = bos;
      this.eosTokenIds = eos.clone();
      return this;
    }

    public Builder layers(List<LayerConfig> perLayer) {
      this.layers = List.copyOf(perLayer);
      return this;
    }

    public Builder normWeightOffset(float offset) {
      this.normWeightOffset = offset;
      return this;
    }

    public Builder embeddingScale(float scale) {
      this.embeddingScale = scale;
      return this;
    }

    public Builder attentionScale(float scale) {
      this.attentionScale = scale;
      return this;
    }

    public Builder softcaps(float attention, float logits) {
      this.attentionSoftcap = attention;
      this.finalSoftcap = logits;
      return this;
    }

    public Builder experts(int experts, int perToken) {
      this.numExperts = experts;
      this.numExpertsPerToken = perToken;
      return this;
    }

    /** Each expert's MLP width, when it differs from {@code intermediateSize} ({@code moe_intermediate_size}). */
    public Builder expertIntermediateSize(int size) {
      this.expertIntermediateSize = size;
      return this;
    }

    public Builder expertWeighting(ExpertRouting.Weighting weighting) {
      this.expertWeighting = weighting;
      return this;
    }

    /** With experts, the layers whose MLP is dense nonetheless (Qwen3-MoE's {@code mlp_only_layers}...). */
    public Builder denseLayers(Set<Integer> layerIndexes) {
      this.denseLayers = Set.copyOf(layerIndexes);
      return this;
    }

    public Builder normKind(NormKind kind) {
      this.normKind = kind;
      return this;
    }

    public Builder residual(Residual r) {
      this.residual = r;
      return this;
    }

    public Builder positions(PositionEncoding p) {
      this.positions = p;
      return this;
    }

    /** The layer count set so far, for resolvers that derive per-layer settings. */
    public int numLayers() {
      return numLayers;
    }

    /** The rotary embedding set so far. */
    public RopeConfig rope() {
      return rope;
    }

    public ModelConfig build() {
      Objects.requireNonNull(rope, "rope");
      List<LayerConfig> perLayer = layers != null ? layers
          : Collections.nCopies(numLayers, new LayerConfig(slidingWindow, rope));
      if (numExperts > 0) {
        List<LayerConfig> withExperts = new ArrayList<>(perLayer.size());
        for (int l = 0; l < perLayer.size(); l++) {
          withExperts.add(perLayer.get(l).withMlp(denseLayers.contains(l) ? LayerConfig.Mlp.DENSE : LayerConfig.Mlp.SPARSE));
        }
        perLayer = withExperts;
      }
      float scale = attentionScale != null ? attentionScale : defaultAttentionScale(headDim);
      return new ModelConfig(family, architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
          vocabSize, contextLength, rmsNormEps, rope, tieWordEmbeddings, attentionBias, mlpBias, activation, slidingWindow,
          bosTokenId, eosTokenIds, perLayer, normWeightOffset, embeddingScale, scale, attentionSoftcap, finalSoftcap,
          numExperts, numExpertsPerToken, expertIntermediateSize > 0 ? expertIntermediateSize : intermediateSize,
          expertWeighting, normKind, residual, positions);
    }
  }
}
