package tips.drain.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import tips.drain.api.LanguageModel;

/**
 * Builds a {@link DrainChatModel} or {@link DrainStreamingChatModel}: the model (a directory, a name found in
 * {@code models/} or {@code DRAIN_MODEL_PATH}, or an already loaded {@link LanguageModel} to share), and the default
 * request parameters. Requests override the defaults parameter by parameter.
 */
public final class DrainChatModelBuilder<T> {
  private final BiFunction<DrainChat, ChatRequestParameters, T> factory;
  private Path modelPath;
  private String modelName;
  private LanguageModel model;
  private Integer threads;
  private long seed;
  private float repetitionPenalty = 1f;
  private Double temperature;
  private Double topP;
  private Integer topK;
  private Integer maxOutputTokens;
  private List<String> stopSequences;

  DrainChatModelBuilder(BiFunction<DrainChat, ChatRequestParameters, T> factory) {
    this.factory = factory;
  }

  /** The model directory (config.json, safetensors, tokenizer.json). */
  public DrainChatModelBuilder<T> modelPath(Path dir) {
    this.modelPath = dir;
    return this;
  }

  /** A model name found in {@code models/} or {@code DRAIN_MODEL_PATH}; with {@link #modelPath}, the name reported. */
  public DrainChatModelBuilder<T> modelName(String name) {
    this.modelName = name;
    return this;
  }

  /** A model already loaded, shared (not closed by the chat model). */
  public DrainChatModelBuilder<T> model(LanguageModel loaded) {
    this.model = loaded;
    return this;
  }

  /** Compute threads when the builder loads the model (default: all cores). */
  public DrainChatModelBuilder<T> threads(int n) {
    this.threads = n;
    return this;
  }

  /** The sampling seed (default 0): the same request gives the same answer. */
  public DrainChatModelBuilder<T> seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** llama.cpp's repetition penalty (default 1: none; or generation_config.json's). */
  public DrainChatModelBuilder<T> repetitionPenalty(double penalty) {
    this.repetitionPenalty = (float) penalty;
    return this;
  }

  public DrainChatModelBuilder<T> temperature(double t) {
    this.temperature = t;
    return this;
  }

  public DrainChatModelBuilder<T> topP(double p) {
    this.topP = p;
    return this;
  }

  public DrainChatModelBuilder<T> topK(int k) {
    this.topK = k;
    return this;
  }

  public DrainChatModelBuilder<T> maxOutputTokens(int n) {
    this.maxOutputTokens = n;
    return this;
  }

  public DrainChatModelBuilder<T> stopSequences(List<String> stops) {
    this.stopSequences = List.copyOf(stops);
    return this;
  }

  /** Loads the model (unless one was given) and returns the chat model. */
  public T build() {
    DrainChat chat = DrainChat.load(model, modelPath, modelName, threads, seed, repetitionPenalty);
    ChatRequestParameters defaults = ChatRequestParameters.builder().modelName(chat.modelName()).temperature(temperature)
        .topP(topP).topK(topK).maxOutputTokens(maxOutputTokens).stopSequences(stopSequences).build();
    return factory.apply(chat, defaults);
  }
}
