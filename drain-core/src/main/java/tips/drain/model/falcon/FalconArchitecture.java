package tips.drain.model.falcon;

import java.nio.file.Path;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.Activation;
import tips.drain.model.Architecture;
import tips.drain.model.AttentionWeights;
import tips.drain.model.ConfigException;
import tips.drain.model.DecoderWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.LayerWeights;
import tips.drain.model.ModelConfig;
import tips.drain.model.Norm;
import tips.drain.model.NormKind;
import tips.drain.model.PlainMlp;
import tips.drain.model.Require;
import tips.drain.model.Residual;
import tips.drain.model.RopeConfig;
import tips.drain.model.RopeScalings;
import tips.drain.model.TokenIds;
import tips.drain.model.TransformerWeights;
import tips.drain.model.UnsupportedArchitectureException;

/**
 * Falcon ({@code FalconForCausalLM}, transformers' {@code modeling_falcon.py}), rotary positions only:
 * <ul>
 *   <li>LayerNorms with bias ({@code layer_norm_epsilon}); a plain MLP {@code dense_4h_to_h(act(dense_h_to_4h(x)))}
 *       with {@code activation} (default the exact {@code gelu}) of {@code ffn_hidden_size} (default 4·hidden);
 *       {@code bias} on every Linear; tied head by default;</li>
 *   <li>one fused {@code query_key_value} whose rows come per KV head (query heads of the group, key, value):
 *       Falcon-7B's {@code multi_query} (one KV head whatever {@code num_kv_heads} says), the
 *       {@code new_decoder_architecture} of Falcon-40B/180B ({@code num_kv_heads} groups), or plain multi-head
 *       ({@code [q k v]} per head);</li>
 *   <li>the layer: with {@code new_decoder_architecture} and {@code num_ln_in_parallel_attn} 2 (its default),
 *       {@code x + attn(ln_attn(x)) + mlp(ln_mlp(x))}; with {@code parallel_attn} (or the new architecture with one
 *       norm), {@code x + attn(ln(x)) + mlp(ln(x))} with {@code input_layernorm}; else sequential with
 *       {@code input_layernorm} and {@code post_attention_layernorm}.</li>
 * </ul>
 * Falcon-RW's {@code alibi} is refused.
 */
public final class FalconArchitecture implements Architecture {

  @Override
  public String modelType() {
    return "falcon";
  }

  @Override
  public List<String> classNames() {
    return List.of("FalconForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    if (Boolean.TRUE.equals(c.alibi())) {
      throw new UnsupportedArchitectureException(file + ": falcon with alibi true (Falcon-RW) is not supported; "
          + "rotary Falcon (alibi false) is");
    }
    int hidden = Require.positiveOr(c.hiddenSize(), 4544, "hidden_size", file);
    int heads = Require.positiveOr(c.numAttentionHeads(), 71, "num_attention_heads", file);
    Require.check(hidden % heads == 0, file, "hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
    int headDim = hidden / heads;
    boolean newArchitecture = Boolean.TRUE.equals(c.newDecoderArchitecture());
    boolean multiQuery = c.multiQuery() == null || c.multiQuery();
    boolean parallelAttn = c.parallelAttn() == null || c.parallelAttn();
    int kvHeads;
    if (newArchitecture) {
      kvHeads = Require.positiveOr(c.numKvHeads(), heads, "num_kv_heads", file);
      Require.check(heads % kvHeads == 0, file, "num_attention_heads " + heads + " is not a multiple of num_kv_heads " + kvHeads);
    } else {
      // FalconAttention: one KV head for multi_query, whatever num_kv_heads says; else [q k v] per head
      kvHeads = multiQuery ? 1 : heads;
    }
    int layers = Require.positiveOr(c.numHiddenLayers(), 32, "num_hidden_layers", file);
    int ffn = Require.positiveOr(c.ffnHiddenSize(), 4 * hidden, "ffn_hidden_size", file);
    int context = Require.positiveOr(c.maxPositionEmbeddings(), 2048, "max_position_embeddings", file);
    double eps = Require.positiveOr(c.layerNormEpsilon(), 1e-5, "layer_norm_epsilon", file);
    double theta = Require.positiveOr(c.ropeTheta(), 10000.0, "rope_theta", file);
    Activation act = Activation.fromHf(c.activation() == null ? "gelu" : c.activation(), file + ": activation");
    if (act != Activation.GELU && act != Activation.GELU_TANH) {
      throw new UnsupportedArchitectureException(file + ": falcon activation '" + c.activation()
          + "' is not supported (supported: gelu, gelu_pytorch_tanh)");
    }
    int norms = c.numLnInParallelAttn() == null ? 2 : c.numLnInParallelAttn();
    if (newArchitecture && norms != 1 && norms != 2) {
      throw new ConfigException(file + ": 'num_ln_in_parallel_attn' must be 1 or 2, got " + norms);
    }
    boolean bias = Boolean.TRUE.equals(c.bias());
    int bos = c.bosTokenId() != null && c.bosTokenId().isIntegralNumber() ? c.bosTokenId().asInt() : 11;
    int[] eos = c.eosTokenId() == null ? new int[] {11} : TokenIds.parse(c.eosTokenId(), file + ": eos_token_id");
    return ModelConfig.builder("falcon", "FalconForCausalLM")
        .sizes(hidden, ffn, layers, Require.positiveOr(c.vocabSize(), 65024, "vocab_size", file))
        .heads(heads, kvHeads, headDim)
        .contextLength(context)
        .rmsNormEps((float) eps)
        .normKind(NormKind.LAYER_NORM)
        .residual(newArchitecture || parallelAttn ? Residual.PARALLEL : Residual.SEQUENTIAL)
        .rope(new RopeConfig(theta, headDim, RopeScalings.parse(c.ropeScaling(), context, file)))
        .tieWordEmbeddings(c.tieWordEmbeddings() == null || c.tieWordEmbeddings())
        .attentionBias(bias)
        .mlpBias(bias)
        .activation(act)
        .specialTokens(bos, eos)
        .build();
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.loadTransformerLayout(w, c, null, (layer, i) -> {
      AttentionWeights attention = DecoderWeights.fusedAttention(layer.scope("self_attention"), c, c.attentionBias());
      PlainMlp mlp = DecoderWeights.plainMlp(layer.scope("mlp"), c, "dense_h_to_4h", "dense_4h_to_h", c.mlpBias());
      if (layer.has("ln_attn.weight")) {
        // new_decoder_architecture with num_ln_in_parallel_attn 2 (the layers transformers builds then have ln_attn
        // and ln_mlp): ln_attn feeds the attention, ln_mlp the MLP
        return new LayerWeights(DecoderWeights.layerNorm(layer, "ln_attn", c), attention,
            DecoderWeights.layerNorm(layer, "ln_mlp", c), mlp);
      }
      Norm input = DecoderWeights.layerNorm(layer, "input_layernorm", c);
      Norm mlpNorm = c.residual() == Residual.PARALLEL ? input : DecoderWeights.layerNorm(layer, "post_attention_layernorm", c);
      return new LayerWeights(input, attention, mlpNorm, mlp);
    });
  }
}
