package tips.drain.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/**
 * A LangChain4j {@link StreamingChatModel} running a DRAIN model in this JVM: as {@link DrainChatModel}, with the
 * answer handed to {@link StreamingChatResponseHandler#onPartialResponse(String)} piece by piece as it is generated
 * (on the calling thread), then {@code onCompleteResponse}; any failure goes to {@code onError}.
 */
public final class DrainStreamingChatModel implements StreamingChatModel, AutoCloseable {
  private final DrainChat chat;
  private final ChatRequestParameters defaults;

  DrainStreamingChatModel(DrainChat chat, ChatRequestParameters defaults) {
    this.chat = chat;
    this.defaults = defaults;
  }

  public static DrainChatModelBuilder<DrainStreamingChatModel> builder() {
    return new DrainChatModelBuilder<>(DrainStreamingChatModel::new);
  }

  @Override
  public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
    ChatResponse response;
    try {
      response = chat.generate(request, (id, text) -> {
        if (!text.isEmpty()) {
          handler.onPartialResponse(text);
        }
      });
    } catch (RuntimeException e) {
      handler.onError(e);
      return;
    }
    handler.onCompleteResponse(response);
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
