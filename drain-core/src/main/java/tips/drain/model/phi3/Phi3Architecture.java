package tips.drain.model.phi3;

import java.nio.file.Path;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.Architecture;
import tips.drain.model.AttentionWeights;
import tips.drain.model.ConfigFields;
import tips.drain.model.DecoderWeights;
import tips.drain.model.FeedForwardWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.ModelConfig;
import tips.drain.model.TransformerWeights;
import tips.drain.model.UnsupportedArchitectureException;
import tips.drain.tensor.Matrix;

/**
 * Phi-3 ({@code Phi3ForCausalLM}, transformers' {@code modeling_phi3.py}): the Llama layer with fused
 * projections, split here into views without copying: {@code qkv_proj} rows are q, then k, then v;
 * {@code gate_up_proj} rows are gate, then up. Optional {@code partial_rotary_factor} and
 * {@code sliding_window} (every layer). Phi-3's long-context {@code rope_scaling} (longrope/su) is refused.
 */
public final class Phi3Architecture implements Architecture {
  static final ConfigFields.Defaults DEFAULTS = new ConfigFields.Defaults(0, 4096, 1e-5, 10000.0, false);

  @Override
  public String modelType() {
    return "phi3";
  }

  @Override
  public List<String> classNames() {
    return List.of("Phi3ForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    if (c.ropeScaling() != null && !c.ropeScaling().isNull()) {
      String type = c.ropeScaling().path("rope_type").asText(c.ropeScaling().path("type").asText("?"));
      throw new UnsupportedArchitectureException(file + ": rope_scaling type '" + type + "' of phi3 (long-context "
          + "Phi-3) is not supported; only rope_scaling null is");
    }
    return ConfigFields.common(c, file, "phi3", "Phi3ForCausalLM", DEFAULTS, "hidden_act", c.hiddenAct())
        .slidingWindow(ConfigFields.slidingWindow(c.slidingWindow(), 0, file))
        .build();
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    int hidden = c.hiddenSize();
    int ffn = c.intermediateSize();
    return DecoderWeights.load(w, c, (layer, i) -> {
      Weights attn = layer.scope("self_attn");
      // query_pos = num_heads * head_dim; q, k, v = qkv[:query_pos], qkv[query_pos:+kv], qkv[query_pos+kv:]
      List<Matrix> qkv = attn.rowBlocks("qkv_proj.weight", hidden, c.queryDim(), c.kvDim(), c.kvDim());
      AttentionWeights attention = new AttentionWeights(qkv.get(0), qkv.get(1), qkv.get(2),
          attn.matrix("o_proj.weight", hidden, c.queryDim()), null, null, null, null);
      // gate, up_states = gate_up_proj(x).chunk(2, dim=-1)
      Weights mlp = layer.scope("mlp");
      List<Matrix> gateUp = mlp.rowBlocks("gate_up_proj.weight", hidden, ffn, ffn);
      FeedForwardWeights feedForward = new FeedForwardWeights(gateUp.get(0), gateUp.get(1),
          mlp.matrix("down_proj.weight", hidden, ffn), null, null, null);
      return DecoderWeights.llamaLayer(layer, c, attention, feedForward);
    });
  }
}
