package tips.drain.model.bloom;

import java.nio.file.Path;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.Activation;
import tips.drain.model.Architecture;
import tips.drain.model.DecoderWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.LayerWeights;
import tips.drain.model.ModelConfig;
import tips.drain.model.NormKind;
import tips.drain.model.PositionEncoding;
import tips.drain.model.Require;
import tips.drain.model.RopeConfig;
import tips.drain.model.RopeScaling;
import tips.drain.model.TokenIds;
import tips.drain.model.TransformerWeights;
import tips.drain.model.UnsupportedArchitectureException;

/**
 * BLOOM ({@code BloomForCausalLM}, transformers' {@code modeling_bloom.py}):
 * <ul>
 *   <li>{@code word_embeddings} then {@code word_embeddings_layernorm}; LayerNorms with bias
 *       ({@code layer_norm_epsilon}) before attention and MLP; {@code ln_f}; tied head;</li>
 *   <li>ALiBi instead of rotary embeddings (slopes of {@code build_alibi_tensor}, see {@link tips.drain.model.Alibi});</li>
 *   <li>a fused {@code query_key_value} with bias, interleaved per head ({@code [q_h k_h v_h]}), kept as stored;
 *       {@code dense} with bias;</li>
 *   <li>a plain MLP of 4·hidden with biases and {@code bloom_gelu}, the tanh form of GELU.</li>
 * </ul>
 * Config keys are {@code n_layer} and {@code n_head}. {@code apply_residual_connection_post_layernorm},
 * {@code slow_but_exact} and {@code pretraining_tp} other than 1 are refused.
 */
public final class BloomArchitecture implements Architecture {
  /** BLOOM's training context; ALiBi itself has no position limit. */
  static final int CONTEXT = 2048;

  @Override
  public String modelType() {
    return "bloom";
  }

  @Override
  public List<String> classNames() {
    return List.of("BloomForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    if (Boolean.TRUE.equals(c.applyResidualConnectionPostLayernorm())) {
      throw new UnsupportedArchitectureException(file + ": apply_residual_connection_post_layernorm true is not supported");
    }
    if (c.pretrainingTp() != null && c.pretrainingTp() != 1) {
      throw new UnsupportedArchitectureException(file + ": pretraining_tp " + c.pretrainingTp() + " is not supported (only 1)");
    }
    int hidden = Require.positiveOr(c.hiddenSize(), 64, "hidden_size", file);
    int heads = Require.positiveOr(c.nHead(), 8, "n_head", file);
    Require.check(hidden % heads == 0, file, "hidden_size " + hidden + " is not divisible by n_head " + heads);
    int headDim = hidden / heads;
    double eps = Require.positiveOr(c.layerNormEpsilon(), 1e-5, "layer_norm_epsilon", file);
    int bos = c.bosTokenId() != null && c.bosTokenId().isIntegralNumber() ? c.bosTokenId().asInt() : 1;
    int[] eos = c.eosTokenId() == null ? new int[] {2} : TokenIds.parse(c.eosTokenId(), file + ": eos_token_id");
    return ModelConfig.builder("bloom", "BloomForCausalLM")
        .sizes(hidden, 4 * hidden, Require.positiveOr(c.nLayer(), 2, "n_layer", file),
            Require.positiveOr(c.vocabSize(), 250880, "vocab_size", file))
        .heads(heads, heads, headDim)
        .contextLength(CONTEXT)
        .rmsNormEps((float) eps)
        .normKind(NormKind.LAYER_NORM)
        .positions(PositionEncoding.ALIBI)
        // unused with ALiBi; kept so that every config names a rotary embedding
        .rope(new RopeConfig(10000.0, headDim, RopeScaling.NONE))
        .tieWordEmbeddings(c.tieWordEmbeddings() == null || c.tieWordEmbeddings())
        .attentionBias(true)
        .mlpBias(true)
        .activation(Activation.GELU_TANH)
        .specialTokens(bos, eos)
        .build();
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.loadTransformerLayout(w, c, "word_embeddings_layernorm", (layer, i) -> new LayerWeights(
        DecoderWeights.layerNorm(layer, "input_layernorm", c),
        DecoderWeights.fusedAttention(layer.scope("self_attention"), c, true),
        DecoderWeights.layerNorm(layer, "post_attention_layernorm", c),
        DecoderWeights.plainMlp(layer.scope("mlp"), c, "dense_h_to_4h", "dense_4h_to_h", true)));
  }
}
