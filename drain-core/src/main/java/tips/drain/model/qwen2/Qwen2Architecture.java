package tips.drain.model.qwen2;

import java.nio.file.Path;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.Architecture;
import tips.drain.model.ConfigFields;
import tips.drain.model.DecoderWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.ModelConfig;
import tips.drain.model.TransformerWeights;

/**
 * Qwen2 and Qwen2.5 ({@code Qwen2ForCausalLM}, transformers' {@code modeling_qwen2.py}): the Llama layer with
 * biases on q/k/v (not on o_proj), tied embeddings in the small sizes, and Qwen's sliding-window rule (see
 * {@link #windowLayers}).
 */
public final class Qwen2Architecture implements Architecture {
  static final ConfigFields.Defaults DEFAULTS = new ConfigFields.Defaults(0, 32768, 1e-6, 10000.0, false);

  @Override
  public String modelType() {
    return "qwen2";
  }

  @Override
  public List<String> classNames() {
    return List.of("Qwen2ForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    ModelConfig.Builder b = ConfigFields.common(c, file, "qwen2", "Qwen2ForCausalLM", DEFAULTS, "hidden_act", c.hiddenAct())
        .attentionBias(true);
    return windowLayers(b, c, file).build();
  }

  /**
   * Qwen's window: {@code sliding_window} (default 4096) applies only with {@code use_sliding_window}, on the
   * layers {@code layer_types} marks {@code sliding_attention}, or when absent on layers
   * {@code i >= max_window_layers} (default 28), as {@code Qwen2Config} derives them.
   */
  public static ModelConfig.Builder windowLayers(ModelConfig.Builder b, HfConfig c, Path file) {
    int window = Boolean.TRUE.equals(c.useSlidingWindow()) ? ConfigFields.slidingWindow(c.slidingWindow(), 4096, file) : 0;
    int maxWindowLayers = c.maxWindowLayers() == null ? 28 : c.maxWindowLayers();
    boolean[] sliding = ConfigFields.slidingLayers(c.layerTypes(), b.numLayers(),
        l -> window > 0 && l >= maxWindowLayers, file);
    if (window == 0) {
      sliding = new boolean[b.numLayers()]; // a sliding layer type without a window attends fully
    }
    return b.slidingWindow(window).layers(ConfigFields.layers(sliding, window, b.rope(), b.rope()));
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.load(w, c, (layer, i) -> DecoderWeights.llamaLayer(layer, c,
        DecoderWeights.attention(layer.scope("self_attn"), c, true, false, false),
        DecoderWeights.llamaMlp(layer.scope("mlp"), c, false)));
  }
}
