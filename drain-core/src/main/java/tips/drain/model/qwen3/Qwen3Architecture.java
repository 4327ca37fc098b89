package tips.drain.model.qwen3;

import java.nio.file.Path;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.Architecture;
import tips.drain.model.ConfigFields;
import tips.drain.model.DecoderWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.ModelConfig;
import tips.drain.model.TransformerWeights;
import tips.drain.model.qwen2.Qwen2Architecture;

/**
 * Qwen3 ({@code Qwen3ForCausalLM}, transformers' {@code modeling_qwen3.py}): the Llama layer with an RMSNorm
 * over each query and key head ({@code q_norm}, {@code k_norm}) before the rotary embedding, an explicit
 * {@code head_dim} (default 128, independent of hidden/heads), biases on q/k/v/o only with
 * {@code attention_bias}, and Qwen2's sliding-window rule.
 */
public final class Qwen3Architecture implements Architecture {
  static final ConfigFields.Defaults DEFAULTS = new ConfigFields.Defaults(128, 32768, 1e-6, 10000.0, false);

  @Override
  public String modelType() {
    return "qwen3";
  }

  @Override
  public List<String> classNames() {
    return List.of("Qwen3ForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    ModelConfig.Builder b = ConfigFields.common(c, file, "qwen3", "Qwen3ForCausalLM", DEFAULTS, "hidden_act", c.hiddenAct())
        .attentionBias(Boolean.TRUE.equals(c.attentionBias()));
    return Qwen2Architecture.windowLayers(b, c, file).build();
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.load(w, c, (layer, i) -> DecoderWeights.llamaLayer(layer, c,
        DecoderWeights.attention(layer.scope("self_attn"), c, c.attentionBias(), c.attentionBias(), true),
        DecoderWeights.llamaMlp(layer.scope("mlp"), c, false)));
  }
}
