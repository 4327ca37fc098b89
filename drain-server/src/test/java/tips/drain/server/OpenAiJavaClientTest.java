package tips.drain.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK (with its OkHttp client) against the server, over loopback. */
class OpenAiJavaClientTest {
  private static DrainServer server;
  private static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(TestServer.source(), TestServer.options().withApiKey("test-key"));
    client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey("test-key")
        .timeout(Duration.ofSeconds(60)).maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  private static ChatCompletionCreateParams.Builder params() {
    return ChatCompletionCreateParams.builder().model("stories260K")
        .addSystemMessage("Once upon a time")
        .addUserMessage(", there was a dog")
        .maxCompletionTokens(32)
        .temperature(0.0);
  }

  /** The streamed text, the chunks' ids, and the usage of the last chunk. */
  private record Streamed(String text, Set<String> ids, CompletionUsage usage, String finish) {}

  private static Streamed stream(ChatCompletionCreateParams p) {
    StringBuilder text = new StringBuilder();
    Set<String> ids = new HashSet<>();
    CompletionUsage usage = null;
    String finish = null;
    try (StreamResponse<ChatCompletionChunk> chunks = client.chat().completions().createStreaming(p)) {
      for (ChatCompletionChunk c : (Iterable<ChatCompletionChunk>) chunks.stream()::iterator) {
        ids.add(c.id());
        for (ChatCompletionChunk.Choice choice : c.choices()) {
          choice.delta().content().ifPresent(text::append);
          if (choice.finishReason().isPresent()) {
            finish = choice.finishReason().get().asString();
          }
        }
        if (c.usage().isPresent()) {
          usage = c.usage().get();
        }
      }
    }
    return new Streamed(text.toString(), ids, usage, finish);
  }

  @Test
  void nonStreamedAndStreamedChatAgreeWithUsage() {
    ChatCompletion whole = client.chat().completions().create(params().build());
    String text = whole.choices().get(0).message().content().orElseThrow();
    assertFalse(text.isBlank());
    assertEquals("length", whole.choices().get(0).finishReason().asString());
    CompletionUsage usage = whole.usage().orElseThrow();
    assertEquals(32, usage.completionTokens());
    assertTrue(usage.promptTokens() > 5);
    assertEquals(usage.promptTokens() + 32, usage.totalTokens());

    Streamed streamed = stream(params()
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
    assertEquals(text, streamed.text());
    assertEquals(1, streamed.ids().size());
    assertEquals("length", streamed.finish());
    assertEquals(usage.promptTokens(), streamed.usage().promptTokens());
    assertEquals(32, streamed.usage().completionTokens());
  }

  @Test
  void stopStringsEndTheAnswer() {
    String text = client.chat().completions().create(params().build()).choices().get(0).message().content()
        .orElseThrow();
    String stop = text.substring(10, 13);
    ChatCompletion stopped = client.chat().completions().create(params().stopOfStrings(List.of(stop, "zzzz")).build());
    assertEquals(text.substring(0, text.indexOf(stop)), stopped.choices().get(0).message().content().orElseThrow());
    assertEquals("stop", stopped.choices().get(0).finishReason().asString());
    assertEquals(text.substring(0, text.indexOf(stop)), stream(params().stop(stop).build()).text());
  }

  @Test
  void seedsReproduceSampledAnswers() {
    List<String> texts = new ArrayList<>();
    for (long seed : new long[] {42, 42, 43}) {
      texts.add(client.chat().completions().create(params().temperature(1.0).topP(0.95).seed(seed).build())
          .choices().get(0).message().content().orElseThrow());
    }
    assertEquals(texts.get(0), texts.get(1));
    assertNotEquals(texts.get(0), texts.get(2));
    assertEquals(texts.get(0), stream(params().temperature(1.0).topP(0.95).seed(42L).build()).text());
  }

  @Test
  void textCompletionsAndModels() {
    Completion c = client.completions().create(CompletionCreateParams.builder().model("stories260K")
        .prompt("Once upon a time").maxTokens(8).temperature(0.0).build());
    assertFalse(c.choices().get(0).text().isBlank());
    assertEquals(8, c.usage().orElseThrow().completionTokens());
    List<Model> models = client.models().list().data();
    assertEquals("stories260K", models.get(0).id());
  }

  @Test
  void errorsReachTheClientAsTypedExceptions() {
    BadRequestException bad = assertThrows(BadRequestException.class,
        () -> client.chat().completions().create(params().n(2).build()));
    assertTrue(bad.getMessage().contains("one choice per request"), bad.getMessage());
    OpenAIClient wrongKey = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey("nope")
        .maxRetries(0).build();
    try {
      assertThrows(UnauthorizedException.class, () -> wrongKey.chat().completions().create(params().build()));
    } finally {
      wrongKey.close();
    }
  }
}
