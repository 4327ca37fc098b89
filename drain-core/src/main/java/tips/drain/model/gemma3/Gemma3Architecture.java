package tips.drain.model.gemma3;

import java.nio.file.Path;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.Architecture;
import tips.drain.model.ConfigFields;
import tips.drain.model.DecoderWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.ModelConfig;
import tips.drain.model.Require;
import tips.drain.model.RopeConfig;
import tips.drain.model.RopeScaling;
import tips.drain.model.TransformerWeights;
import tips.drain.model.UnsupportedArchitectureException;
import tips.drain.model.gemma2.Gemma2Architecture;

/**
 * Gemma 3 text ({@code model_type gemma3_text}, {@code Gemma3ForCausalLM}, transformers'
 * {@code modeling_gemma3.py}): Gemma 2's layer (embedding scale, (1 + w) norms, pre/post norms, GeGLU,
 * {@code query_pre_attn_scalar}, optional soft-caps, default none) plus a (1 + w) RMSNorm over each query and
 * key head before the rotary embedding. Local layers ({@code layer_types}, default: all but every
 * {@code sliding_window_pattern}-th) use the window and a plain rotary embedding of base
 * {@code rope_local_base_freq}; global layers use {@code rope_theta} with {@code rope_scaling}.
 */
public final class Gemma3Architecture implements Architecture {
  static final ConfigFields.Defaults DEFAULTS = new ConfigFields.Defaults(256, 131072, 1e-6, 1_000_000.0, true);

  @Override
  public String modelType() {
    return "gemma3_text";
  }

  @Override
  public List<String> classNames() {
    return List.of("Gemma3ForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    if (Boolean.TRUE.equals(c.useBidirectionalAttention())) {
      throw new UnsupportedArchitectureException(file + ": use_bidirectional_attention true is not supported (causal only)");
    }
    ModelConfig.Builder b = Gemma2Architecture.gemmaCommon(c, file, "gemma3_text", "Gemma3ForCausalLM", DEFAULTS)
        .softcaps(ConfigFields.softcap(c.attnLogitSoftcapping(), 0, "attn_logit_softcapping", file),
            ConfigFields.softcap(c.finalLogitSoftcapping(), 0, "final_logit_softcapping", file));
    int window = ConfigFields.slidingWindow(c.slidingWindow(), 4096, file);
    int pattern = Require.positiveOr(c.slidingWindowPattern(), 6, "sliding_window_pattern", file);
    boolean[] sliding = ConfigFields.slidingLayers(c.layerTypes(), b.numLayers(), l -> (l + 1) % pattern != 0, file);
    double localBase = Require.positiveOr(c.ropeLocalBaseFreq(), 10000.0, "rope_local_base_freq", file);
    RopeConfig global = b.rope();
    RopeConfig local = new RopeConfig(localBase, global.rotaryDim(), RopeScaling.NONE);
    Require.check(window > 0 || !Gemma2Architecture.anyTrue(sliding), file,
        "layer_types has sliding_attention layers but sliding_window is null");
    return b.slidingWindow(window).layers(ConfigFields.layers(sliding, window, global, local)).build();
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.load(w, c, (layer, i) -> Gemma2Architecture.gemmaLayer(layer, c, true));
  }
}
