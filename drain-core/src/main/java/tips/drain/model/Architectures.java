package tips.drain.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tips.drain.model.bert.BertArchitecture;
import tips.drain.model.bloom.BloomArchitecture;
import tips.drain.model.encoder.EncoderArchitecture;
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

/**
 * The registry of supported model families, keyed by {@code model_type}: decoders ({@link Architecture}) and
 * encoders ({@link EncoderArchitecture}) side by side. Asking for one kind with a config of the other says which it
 * is and how to load it.
 */
public final class Architectures {
  private static final Map<String, Architecture> BY_TYPE = new LinkedHashMap<>();
  private static final Map<String, EncoderArchitecture> ENCODERS = new LinkedHashMap<>();

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
    ENCODERS.put("bert", new BertArchitecture());
  }

  private Architectures() {}

  private static void register(Architecture a) {
    BY_TYPE.put(a.modelType(), a);
  }

  /** The decoder {@code model_type}s supported, in registration order. */
  public static List<String> supported() {
    return List.copyOf(BY_TYPE.keySet());
  }

  /** The encoder {@code model_type}s supported, in registration order. */
  public static List<String> supportedEncoders() {
    return List.copyOf(ENCODERS.keySet());
  }

  /** Whether {@code raw} describes a decoder or an encoder (checked as {@link #of} and {@link #encoder} check). */
  public static ModelKind kindOf(HfConfig raw, Path configFile) {
    return ENCODERS.containsKey(requireType(raw, configFile)) ? ModelKind.ENCODER : ModelKind.DECODER;
  }

  /**
   * The encoder family for {@code raw}, checked against both {@code model_type} and {@code architectures}.
   *
   * @throws UnsupportedArchitectureException naming a decoder as such, or listing the supported encoders
   */
  public static EncoderArchitecture encoder(HfConfig raw, Path configFile) {
    String type = requireType(raw, configFile);
    EncoderArchitecture e = ENCODERS.get(type);
    if (e == null && BY_TYPE.containsKey(type)) {
      throw new UnsupportedArchitectureException(configFile + ": model_type '" + type + "' is a text generator (decoder), "
          + "not an embedding model; load it with LanguageModel (drain generate, drain chat)");
    }
    if (e == null) {
      throw new UnsupportedArchitectureException(configFile + ": model_type '" + type + "' is not a supported embedding "
          + "model; supported: " + String.join(", ", ENCODERS.keySet()));
    }
    checkClass(e, raw, configFile);
    return e;
  }

  private static String requireType(HfConfig raw, Path configFile) {
    if (raw.modelType() == null) {
      throw new ConfigException(configFile + ": missing required field 'model_type'");
    }
    return raw.modelType();
  }

  private static void checkClass(ModelFamily family, HfConfig raw, Path configFile) {
    if (raw.architectures() != null && !raw.architectures().isEmpty()) {
      String cls = raw.architectures().get(0);
      if (!family.classNames().contains(cls)) {
        throw new UnsupportedArchitectureException(configFile + ": architecture '" + cls + "' is not supported for model_type '"
            + family.modelType() + "'; supported: " + String.join(", ", family.classNames()));
      }
    }
  }

  /**
   * The family for {@code raw}, checked against both {@code model_type} and {@code architectures}.
   *
   * @throws UnsupportedArchitectureException listing the supported families
   */
  public static Architecture of(HfConfig raw, Path configFile) {
    String type = requireType(raw, configFile);
    Architecture a = BY_TYPE.get(type);
    if (a == null && ENCODERS.containsKey(type)) {
      throw new UnsupportedArchitectureException(configFile + ": model_type '" + type + "' is an embedding model "
          + "(encoder), not a text generator; load it with EmbeddingModel (drain embed)");
    }
    if (a == null && type.equals("gemma3")) {
      throw new UnsupportedArchitectureException(configFile + ": model_type 'gemma3' (multimodal Gemma3ForConditionalGeneration) "
          + "is not supported; text-only Gemma 3 checkpoints (model_type 'gemma3_text') are");
    }
    if (a == null) {
      throw new UnsupportedArchitectureException(configFile + ": model_type '" + type + "' is not supported; supported: "
          + String.join(", ", BY_TYPE.keySet()));
    }
    checkClass(a, raw, configFile);
    return a;
  }
}
