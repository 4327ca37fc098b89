package tips.drain.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import tips.drain.api.LoadOptions;
import tips.drain.template.ChatTemplate;
import tips.drain.testing.TestData;
import tips.drain.tokenizer.TokenizerConfig;

/**
 * A server over the shared stories260K model on a free loopback port. stories260K has no chat template of its
 * own; the tests give it a plain one (messages' text in order, assistant turns ended by {@code </s>}) through
 * {@link ModelSource#withChatTemplate}, the same way {@code drain serve --chat-template FILE} does.
 */
final class TestServer {
  static final String MODEL = "stories260K";

  private TestServer() {}

  static ChatTemplate storiesTemplate() {
    try (InputStream in = TestServer.class.getResourceAsStream("/stories-chat.jinja")) {
      String source = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      return ChatTemplate.of(source, "stories-chat.jinja",
          TokenizerConfig.load(TestData.model(MODEL)).specialTokensMap());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static ModelSource source() {
    return ModelSource.load(TestData.model(MODEL), LoadOptions.defaults().withThreads(1))
        .withChatTemplate(storiesTemplate());
  }

  static ServerOptions options() {
    return ServerOptions.defaults().withPort(0).withParallel(4);
  }

  static DrainServer start(ModelSource source, ServerOptions options) throws InterruptedException {
    return DrainServer.start(source, options).awaitReady(Duration.ofSeconds(60));
  }

  static DrainServer start() throws InterruptedException {
    return start(source(), options());
  }

  /** A plain HTTP client for the wire-level checks. */
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static HttpResponse<String> post(DrainServer server, String path, String body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(DrainServer server, String path, String body)
      throws IOException, InterruptedException {
    return post(server, path, body, Map.of());
  }

  static HttpResponse<String> get(DrainServer server, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
