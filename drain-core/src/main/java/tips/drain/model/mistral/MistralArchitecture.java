package tips.drain.model.mistral;

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
 * Mistral ({@code MistralForCausalLM}, transformers' {@code modeling_mistral.py}): the Llama layer without
 * biases, with sliding-window attention on every layer ({@code sliding_window}, default 4096 when the key is
 * absent, none when null): a query at position q sees the keys at k with {@code 0 <= q - k < window}, and the
 * KV cache of a layer keeps only the window (see {@link tips.drain.model.KvCache}).
 */
public final class MistralArchitecture implements Architecture {
  static final ConfigFields.Defaults DEFAULTS = new ConfigFields.Defaults(0, 4096 * 32, 1e-6, 10000.0, false);
  static final int DEFAULT_WINDOW = 4096;

  @Override
  public String modelType() {
    return "mistral";
  }

  @Override
  public List<String> classNames() {
    return List.of("MistralForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    return ConfigFields.common(c, file, "mistral", "MistralForCausalLM", DEFAULTS, "hidden_act", c.hiddenAct())
        .slidingWindow(ConfigFields.slidingWindow(c.slidingWindow(), DEFAULT_WINDOW, file))
        .build();
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.load(w, c, (layer, i) -> DecoderWeights.llamaLayer(layer, c,
        DecoderWeights.attention(layer.scope("self_attn"), c, false, false, false),
        DecoderWeights.llamaMlp(layer.scope("mlp"), c, false)));
  }
}
