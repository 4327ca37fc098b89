package tips.drain.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tips.drain.model.bloom.BloomArchitecture;
import tips.drain.model.falcon.FalconArchitecture;
import tips.drain.model.gemma2.Gemma2Architecture;
import tips.drain.model.gemma3.Gemma3Architecture;
import tips.drain.model.gptoss.GptOssArchitecture;
import tips.drain.model.llama.LlamaArchitecture;
import tips.drain.model.mistral.MistralArchitecture;
import tips.drain.model.mixtral.MixtralArchitecture;
import tips.drain.model.phi3.Phi3Architecture;
import tips.drain.model.qwen2.Qwen2Architecture;
import tips.drain.model.qwen3.Qwen3Architecture;
import tips.drain.model.qwen3moe.Qwen3MoeArchitecture;

/** The registry of supported model families, keyed by {@code model_type}. */
public final class Architectures {
  private static final Map<String, Architecture> BY_TYPE = new LinkedHashMap<>();

  static {
    register(new LlamaArchitecture());
    register(new MistralArchitecture());
    register(new MixtralArchitecture());
    register(new Qwen2Architecture());
    register(new Qwen3Architecture());
    register(new Phi3Architecture());
    register(new Gemma2Architecture());
    register(new Gemma3Architecture());
    register(new Qwen3MoeArchitecture());
    register(new FalconArchitecture());
    register(new BloomArchitecture());
    register(new GptOssArchitecture());
  }

  private Architectures() {}

  private static void register(Architecture a) {
    BY_TYPE.put(a.modelType(), a);
  }

  /** The {@code model_type}s supported, in registration order. */
  public static List<String> supported() {
    return List.copyOf(BY_TYPE.keySet());
  }

  /**
   * The family for {@code raw}, checked against both {@code model_type} and {@code architectures}.
   *
   * @throws UnsupportedArchitectureException listing the supported families
   */
  public static Architecture of(HfConfig raw, Path configFile) {
    String type = raw.modelType();
    if (type == null) {
      throw new ConfigException(configFile + ": missing required field 'model_type'");
    }
    Architecture a = BY_TYPE.get(type);
    if (a == null && type.equals("gemma3")) {
      throw new UnsupportedArchitectureException(configFile + ": model_type 'gemma3' (multimodal Gemma3ForConditionalGeneration) "
          + "is not supported; text-only Gemma 3 checkpoints (model_type 'gemma3_text') are");
    }
    if (a == null) {
      throw new UnsupportedArchitectureException(configFile + ": model_type '" + type + "' is not supported; supported: "
          + String.join(", ", BY_TYPE.keySet()));
    }
    if (raw.architectures() != null && !raw.architectures().isEmpty()) {
      String cls = raw.architectures().get(0);
      if (!a.classNames().contains(cls)) {
        throw new UnsupportedArchitectureException(configFile + ": architecture '" + cls + "' is not supported for model_type '"
            + type + "'; supported: " + String.join(", ", a.classNames()));
      }
    }
    return a;
  }
}
