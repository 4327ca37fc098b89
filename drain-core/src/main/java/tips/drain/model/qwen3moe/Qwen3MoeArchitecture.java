package tips.drain.model.qwen3moe;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tips.drain.io.Weights;
import tips.drain.model.Architecture;
import tips.drain.model.ConfigFields;
import tips.drain.model.DecoderWeights;
import tips.drain.model.ExpertRouting;
import tips.drain.model.FeedForward;
import tips.drain.model.HfConfig;
import tips.drain.model.LayerConfig;
import tips.drain.model.ModelConfig;
import tips.drain.model.Require;
import tips.drain.model.TransformerWeights;
import tips.drain.model.qwen2.Qwen2Architecture;

/**
 * Qwen3-MoE ({@code Qwen3MoeForCausalLM}, transformers' {@code modeling_qwen3_moe.py}): Qwen3's attention (q/k
 * RMSNorm per head, explicit {@code head_dim}) with a sparse MLP ({@code mlp.gate} router,
 * {@code mlp.experts.E.{gate,up,down}_proj} of {@code moe_intermediate_size}) on layer {@code i} when
 * {@code i} is not in {@code mlp_only_layers} and {@code (i + 1) % decoder_sparse_step == 0}, a dense
 * {@code intermediate_size} MLP elsewhere. The router's softmax is over all experts; {@code norm_topk_prob}
 * renormalizes the chosen {@code num_experts_per_tok}.
 */
public final class Qwen3MoeArchitecture implements Architecture {
  static final ConfigFields.Defaults DEFAULTS = new ConfigFields.Defaults(0, 32768, 1e-6, 10000.0, false);

  @Override
  public String modelType() {
    return "qwen3_moe";
  }

  @Override
  public List<String> classNames() {
    return List.of("Qwen3MoeForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    int experts = Require.positiveOr(c.numExperts(), 128, "num_experts", file);
    int perToken = Require.positiveOr(c.numExpertsPerTok(), 8, "num_experts_per_tok", file);
    Require.check(perToken <= experts, file, "num_experts_per_tok " + perToken + " is more than num_experts " + experts);
    int expertFfn = Require.positiveOr(c.moeIntermediateSize(), 768, "moe_intermediate_size", file);
    int step = Require.positiveOr(c.decoderSparseStep(), 1, "decoder_sparse_step", file);
    ModelConfig.Builder b = ConfigFields.common(c, file, "qwen3_moe", "Qwen3MoeForCausalLM", DEFAULTS, "hidden_act",
            c.hiddenAct())
        .attentionBias(Boolean.TRUE.equals(c.attentionBias()))
        .experts(experts, perToken)
        .expertIntermediateSize(expertFfn)
        .expertWeighting(Boolean.TRUE.equals(c.normTopkProb()) ? ExpertRouting.Weighting.RENORMALIZED
            : ExpertRouting.Weighting.PROBABILITIES);
    Set<Integer> dense = new HashSet<>();
    List<Integer> mlpOnly = c.mlpOnlyLayers() == null ? List.of() : c.mlpOnlyLayers();
    for (Integer l : mlpOnly) {
      Require.check(l != null && l >= 0 && l < b.numLayers(), file,
          "mlp_only_layers entry " + l + " is not a layer index (0.." + (b.numLayers() - 1) + ")");
      dense.add(l);
    }
    for (int l = 0; l < b.numLayers(); l++) {
      if ((l + 1) % step != 0) {
        dense.add(l);
      }
    }
    return Qwen2Architecture.windowLayers(b, c, file).denseLayers(dense).build();
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.load(w, c, (layer, i) -> {
      Weights mlp = layer.scope("mlp");
      FeedForward feedForward;
      if (c.layer(i).mlp() == LayerConfig.Mlp.SPARSE) {
        feedForward = DecoderWeights.sparseMlp(mlp, c, "gate", "gate_proj", "up_proj", "down_proj");
      } else {
        feedForward = DecoderWeights.llamaMlp(mlp, c, false);
      }
      return DecoderWeights.llamaLayer(layer, c,
          DecoderWeights.attention(layer.scope("self_attn"), c, c.attentionBias(), c.attentionBias(), true), feedForward);
    });
  }
}
