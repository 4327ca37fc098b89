package tips.drain.model.mixtral;

import java.nio.file.Path;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.Architecture;
import tips.drain.model.ConfigFields;
import tips.drain.model.DecoderWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.ModelConfig;
import tips.drain.model.Require;
import tips.drain.model.TransformerWeights;

/**
 * Mixtral ({@code MixtralForCausalLM}, transformers' {@code modeling_mixtral.py}): Mistral's attention with a
 * sparse mixture of experts in place of the MLP ({@code block_sparse_moe}: router {@code gate}, experts
 * {@code w1} = gate, {@code w3} = up, {@code w2} = down); {@code num_experts_per_tok} of
 * {@code num_local_experts} run per token, weighted by the router's softmax renormalized over them.
 */
public final class MixtralArchitecture implements Architecture {
  static final ConfigFields.Defaults DEFAULTS = new ConfigFields.Defaults(0, 4096 * 32, 1e-5, 1e6, false);

  @Override
  public String modelType() {
    return "mixtral";
  }

  @Override
  public List<String> classNames() {
    return List.of("MixtralForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    int experts = Require.positiveOr(c.numLocalExperts(), 8, "num_local_experts", file);
    int perToken = Require.positiveOr(c.numExpertsPerTok(), 2, "num_experts_per_tok", file);
    Require.check(perToken <= experts, file,
        "num_experts_per_tok " + perToken + " is more than num_local_experts " + experts);
    return ConfigFields.common(c, file, "mixtral", "MixtralForCausalLM", DEFAULTS, "hidden_act", c.hiddenAct())
        .slidingWindow(ConfigFields.slidingWindow(c.slidingWindow(), 0, file))
        .experts(experts, perToken)
        .build();
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.load(w, c, (layer, i) -> DecoderWeights.llamaLayer(layer, c,
        DecoderWeights.attention(layer.scope("self_attn"), c, false, false, false),
        DecoderWeights.sparseMlp(layer.scope("block_sparse_moe"), c, "gate", "w1", "w3", "w2")));
  }
}
