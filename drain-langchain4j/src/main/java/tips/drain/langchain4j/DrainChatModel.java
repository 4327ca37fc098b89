package tips.drain.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import tips.drain.api.TokenListener;

/**
 * A LangChain4j {@link ChatModel} running a DRAIN model in this JVM (no server, no HTTP). Requests carry the whole
 * conversation; it is formatted with the model's chat template (a model without one continues the messages' text)
 * and generated in a fresh session. {@code temperature}, {@code topP}, {@code topK}, {@code maxOutputTokens} and
 * {@code stopSequences} map to DRAIN's sampling; {@code seed} and {@code repetitionPenalty} are the builder's;
 * frequency and presence penalties, tools and JSON response formats are refused with LangChain4j's
 * {@link dev.langchain4j.exception.UnsupportedFeatureException}.
 *
 * <pre>{@code
 * ChatModel model = DrainChatModel.builder().modelPath(Path.of("models/qwen3-0.6b")).temperature(0.7).build();
 * String answer = model.chat("Why is the sky blue?");
 * }</pre>
 */
public final class DrainChatModel implements ChatModel, AutoCloseable {
  private final DrainChat chat;
  private final ChatRequestParameters defaults;

  DrainChatModel(DrainChat chat, ChatRequestParameters defaults) {
    this.chat = chat;
    this.defaults = defaults;
  }

  public static DrainChatModelBuilder<DrainChatModel> builder() {
    return new DrainChatModelBuilder<>(DrainChatModel::new);
  }

  @Override
  public ChatResponse doChat(ChatRequest request) {
    return chat.generate(request, TokenListener.NONE);
  }

  @Override
  public ChatRequestParameters defaultRequestParameters() {
    return defaults;
  }

  @Override
  public ModelProvider provider() {
    return ModelProvider.OTHER;
  }

  /** Closes the model, if the builder loaded it. */
  @Override
  public void close() {
    chat.close();
  }
}
