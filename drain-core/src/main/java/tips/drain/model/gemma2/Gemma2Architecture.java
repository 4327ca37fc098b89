package tips.drain.model.gemma2;

import java.nio.file.Path;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.Architecture;
import tips.drain.model.AttentionWeights;
import tips.drain.model.ConfigFields;
import tips.drain.model.DecoderWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.LayerWeights;
import tips.drain.model.ModelConfig;
import tips.drain.model.Require;
import tips.drain.model.TransformerWeights;

/**
 * Gemma 2 ({@code Gemma2ForCausalLM}, transformers' {@code modeling_gemma2.py}):
 * <ul>
 *   <li>input embeddings times {@code sqrt(hidden_size)}, computed in float (DRAIN's activation type, as
 *       transformers does for a float32 model);</li>
 *   <li>RMSNorm multiplying by {@code (1 + w)}, and four norms per layer: input, post-attention (on the
 *       attention output), pre- and post-feedforward;</li>
 *   <li>GeGLU MLP with {@code hidden_activation} ({@code gelu_pytorch_tanh});</li>
 *   <li>attention scores scaled by {@code query_pre_attn_scalar ** -0.5}, then soft-capped:
 *       {@code cap * tanh(s / cap)} with {@code attn_logit_softcapping}; logits soft-capped with
 *       {@code final_logit_softcapping};</li>
 *   <li>sliding-window attention on the layers {@code layer_types} marks (default: every other layer from 0),
 *       full attention on the others; tied embeddings by default.</li>
 * </ul>
 */
public final class Gemma2Architecture implements Architecture {
  static final ConfigFields.Defaults DEFAULTS = new ConfigFields.Defaults(256, 8192, 1e-6, 10000.0, true);

  @Override
  public String modelType() {
    return "gemma2";
  }

  @Override
  public List<String> classNames() {
    return List.of("Gemma2ForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    ModelConfig.Builder b = gemmaCommon(c, file, "gemma2", "Gemma2ForCausalLM", DEFAULTS)
        .softcaps(ConfigFields.softcap(c.attnLogitSoftcapping(), 50.0, "attn_logit_softcapping", file),
            ConfigFields.softcap(c.finalLogitSoftcapping(), 30.0, "final_logit_softcapping", file));
    int window = ConfigFields.slidingWindow(c.slidingWindow(), 4096, file);
    boolean[] sliding = ConfigFields.slidingLayers(c.layerTypes(), b.numLayers(), l -> (l + 1) % 2 != 0, file);
    Require.check(window > 0 || !anyTrue(sliding), file, "layer_types has sliding_attention layers but sliding_window is null");
    return b.slidingWindow(window).layers(ConfigFields.layers(sliding, window, b.rope(), b.rope())).build();
  }

  /**
   * What Gemma 2 and 3 share: {@code hidden_activation} (default gelu_pytorch_tanh), (1 + w) norms, the
   * embedding scale, {@code query_pre_attn_scalar} (default 256) and {@code attention_bias}.
   */
  public static ModelConfig.Builder gemmaCommon(HfConfig c, Path file, String family, String className,
      ConfigFields.Defaults defaults) {
    String act = c.hiddenActivation() == null ? "gelu_pytorch_tanh" : c.hiddenActivation();
    ModelConfig.Builder b = ConfigFields.common(c, file, family, className, defaults, "hidden_activation", act);
    double scalar = Require.positiveOr(c.queryPreAttnScalar(), 256.0, "query_pre_attn_scalar", file);
    int hidden = Require.positive(c.hiddenSize(), "hidden_size", file);
    return b.normWeightOffset(1f)
        .embeddingScale((float) Math.sqrt(hidden))
        .attentionScale(ModelConfig.defaultAttentionScale(scalar))
        .attentionBias(Boolean.TRUE.equals(c.attentionBias()));
  }

  /** A Gemma layer: attention (with q/k norms for Gemma 3) and MLP between their pre- and post-norms. */
  public static LayerWeights gemmaLayer(Weights layer, ModelConfig c, boolean qkNorm) {
    AttentionWeights attention = DecoderWeights.attention(layer.scope("self_attn"), c, c.attentionBias(),
        c.attentionBias(), qkNorm);
    return new LayerWeights(
        DecoderWeights.norm(layer, "input_layernorm", c),
        attention,
        DecoderWeights.norm(layer, "post_attention_layernorm", c),
        DecoderWeights.norm(layer, "pre_feedforward_layernorm", c),
        DecoderWeights.llamaMlp(layer.scope("mlp"), c, false),
        DecoderWeights.norm(layer, "post_feedforward_layernorm", c));
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.load(w, c, (layer, i) -> gemmaLayer(layer, c, false));
  }

  /** True when any layer slides. */
  public static boolean anyTrue(boolean[] values) {
    for (boolean v : values) {
      if (v) {
        return true;
      }
    }
    return false;
  }
}
