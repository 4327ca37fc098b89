package tips.drain.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LangChain4j's OpenAiChatModel and OpenAiStreamingChatModel against the server, over loopback. */
class LangChain4jClientTest {
  private static DrainServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(TestServer.source(), TestServer.options().withApiKey("lc4j"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static ChatRequest request() {
    return ChatRequest.builder().messages(SystemMessage.from("Once upon a time"), UserMessage.from(", a cat"))
        .build();
  }

  private static OpenAiChatModel model(double temperature, Integer seed, List<String> stop) {
    return OpenAiChatModel.builder().baseUrl(server.baseUrl() + "/v1").apiKey("lc4j").modelName("stories260K")
        .temperature(temperature).seed(seed).stop(stop).maxTokens(40).timeout(Duration.ofSeconds(60)).maxRetries(0)
        .build();
  }

  private static OpenAiStreamingChatModel streaming(double temperature, Integer seed, List<String> stop) {
    return OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl() + "/v1").apiKey("lc4j")
        .modelName("stories260K").temperature(temperature).seed(seed).stop(stop).maxTokens(40)
        .timeout(Duration.ofSeconds(60)).build();
  }

  /** The streamed parts joined, and the complete response. */
  private record Streamed(String parts, ChatResponse response) {}

  private static Streamed stream(OpenAiStreamingChatModel model) throws Exception {
    StringBuffer parts = new StringBuffer();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    model.chat(request(), new StreamingChatResponseHandler() {
      @Override
      public void onPartialResponse(String partial) {
        parts.append(partial);
      }

      @Override
      public void onCompleteResponse(ChatResponse response) {
        done.complete(response);
      }

      @Override
      public void onError(Throwable error) {
        done.completeExceptionally(error);
      }
    });
    ChatResponse r = done.get(60, TimeUnit.SECONDS);
    // LangChain4j may hand the partial responses to its handler on another thread than the complete one
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (parts.length() < r.aiMessage().text().length() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return new Streamed(parts.toString(), r);
  }

  @Test
  void chatAndStreamingChatAgreeWithUsage() throws Exception {
    ChatResponse whole = model(0, null, null).chat(request());
    String text = whole.aiMessage().text();
    assertFalse(text.isBlank());
    assertEquals(FinishReason.LENGTH, whole.finishReason());
    assertEquals(40, whole.tokenUsage().outputTokenCount());
    assertTrue(whole.tokenUsage().inputTokenCount() > 5);

    Streamed streamed = stream(streaming(0, null, null));
    assertEquals(text, streamed.parts());
    assertEquals(text, streamed.response().aiMessage().text());
    assertEquals(FinishReason.LENGTH, streamed.response().finishReason());
    assertEquals(40, streamed.response().tokenUsage().outputTokenCount());
    assertEquals(whole.tokenUsage().inputTokenCount(), streamed.response().tokenUsage().inputTokenCount());
  }

  @Test
  void stopStringsAndSeeds() throws Exception {
    String text = model(0, null, null).chat(request()).aiMessage().text();
    String stop = text.substring(12, 15);
    ChatResponse stopped = model(0, null, List.of(stop)).chat(request());
    assertEquals(text.substring(0, text.indexOf(stop)), stopped.aiMessage().text());
    assertEquals(FinishReason.STOP, stopped.finishReason());
    assertEquals(text.substring(0, text.indexOf(stop)), stream(streaming(0, null, List.of(stop))).parts());

    String a = model(1, 5, null).chat(request()).aiMessage().text();
    assertEquals(a, model(1, 5, null).chat(request()).aiMessage().text());
    assertNotEquals(a, model(1, 6, null).chat(request()).aiMessage().text());
    assertEquals(a, stream(streaming(1, 5, null)).parts());
  }
}
