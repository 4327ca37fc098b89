package tips.drain.model.llama;

import java.nio.file.Path;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.Architecture;
import tips.drain.model.ConfigFields;
import tips.drain.model.DecoderWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.ModelConfig;
import tips.drain.model.TransformerWeights;
import tips.drain.model.UnsupportedArchitectureException;

/**
 * Llama 2 and 3.x ({@code LlamaForCausalLM}, transformers' {@code modeling_llama.py}): RMSNorm, rotate-half
 * RoPE (with {@code rope_scaling} linear, dynamic, llama3 or yarn), grouped-query attention, SwiGLU MLP,
 * optional biases ({@code attention_bias} on q/k/v/o, {@code mlp_bias}), explicit {@code head_dim}, optionally
 * tied output head.
 */
public final class LlamaArchitecture implements Architecture {
  static final ConfigFields.Defaults DEFAULTS = new ConfigFields.Defaults(0, 2048, 1e-6, 10000.0, false);

  @Override
  public String modelType() {
    return "llama";
  }

  @Override
  public List<String> classNames() {
    return List.of("LlamaForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    if (c.pretrainingTp() != null && c.pretrainingTp() != 1) {
      throw new UnsupportedArchitectureException(file + ": pretraining_tp " + c.pretrainingTp() + " is not supported (only 1)");
    }
    return ConfigFields.common(c, file, "llama", "LlamaForCausalLM", DEFAULTS, "hidden_act", c.hiddenAct())
        .attentionBias(Boolean.TRUE.equals(c.attentionBias()))
        .mlpBias(Boolean.TRUE.equals(c.mlpBias()))
        .build();
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.load(w, c, (layer, i) -> DecoderWeights.llamaLayer(layer, c,
        DecoderWeights.attention(layer.scope("self_attn"), c, c.attentionBias(), c.attentionBias(), false),
        DecoderWeights.llamaMlp(layer.scope("mlp"), c, c.mlpBias())));
  }
}
