package tips.drain.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tips.drain.DrainException;
import tips.drain.api.LoadOptions;

/** API keys, CORS, loading failures and the bind address. */
class AccessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BODY = "{\"prompt\":\"Once\",\"max_tokens\":2}";

  @Test
  void apiKeyIsRequiredAsBearerOrXApiKeyButNotForHealth() throws Exception {
    try (DrainServer server = TestServer.start(TestServer.source(), TestServer.options().withApiKey("s3cret"))) {
      HttpResponse<String> none = TestServer.post(server, "/v1/completions", BODY);
      assertEquals(401, none.statusCode());
      assertEquals("invalid_api_key", JSON.readTree(none.body()).get("error").get("code").asText());
      assertEquals("authentication_error", JSON.readTree(none.body()).get("error").get("type").asText());
      assertEquals(401, TestServer.post(server, "/v1/completions", BODY, Map.of("Authorization", "Bearer wrong")).statusCode());
      assertEquals(401, TestServer.post(server, "/v1/completions", BODY, Map.of("X-Api-Key", "s3cre")).statusCode());
      assertEquals(200, TestServer.post(server, "/v1/completions", BODY, Map.of("Authorization", "Bearer s3cret")).statusCode());
      assertEquals(200, TestServer.post(server, "/v1/completions", BODY, Map.of("X-Api-Key", "s3cret")).statusCode());
      assertEquals(401, TestServer.get(server, "/v1/models").statusCode());
      assertEquals(401, TestServer.get(server, "/metrics").statusCode());
      assertEquals(200, TestServer.get(server, "/health").statusCode());
    }
  }

  @Test
  void corsPreflightAndHeadersForTheAllowedOriginOnly() throws Exception {
    try (DrainServer server = TestServer.start(TestServer.source(),
        TestServer.options().withCorsOrigin("http://app.example").withApiKey("k"))) {
      HttpResponse<String> preflight = TestServer.HTTP.send(HttpRequest.newBuilder(
              URI.create(server.baseUrl() + "/v1/chat/completions"))
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
          .header("Origin", "http://app.example")
          .header("Access-Control-Request-Method", "POST")
          .header("Access-Control-Request-Headers", "authorization, content-type")
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(204, preflight.statusCode(), "a preflight needs no key");
      assertEquals("http://app.example", preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
      assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow().contains("POST"));
      assertEquals("authorization, content-type",
          preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow());
      HttpResponse<String> post = TestServer.post(server, "/v1/completions", BODY,
          Map.of("Origin", "http://app.example", "Authorization", "Bearer k"));
      assertEquals(200, post.statusCode());
      assertEquals("http://app.example", post.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
      HttpResponse<String> other = TestServer.post(server, "/v1/completions", BODY,
          Map.of("Origin", "http://evil.example", "Authorization", "Bearer k"));
      assertFalse(other.headers().firstValue("Access-Control-Allow-Origin").isPresent());
    }
  }

  @Test
  void aModelThatFailsToLoadIsReportedByHealthAndAwaitReady() throws Exception {
    java.nio.file.Path empty = java.nio.file.Files.createTempDirectory("drain-no-model");
    DrainServer server = DrainServer.start(ModelSource.load(empty, LoadOptions.defaults().withThreads(1)),
        TestServer.options());
    try {
      DrainException e = assertThrows(DrainException.class,
          () -> server.awaitReady(Duration.ofSeconds(30)));
      assertTrue(e.getMessage().contains("config.json"), e.getMessage());
      HttpResponse<String> health = TestServer.get(server, "/health");
      assertEquals(500, health.statusCode());
      assertTrue(JSON.readTree(health.body()).get("error").get("message").asText().contains("failed to load"));
      assertEquals(500, TestServer.post(server, "/v1/completions", BODY).statusCode());
    } finally {
      server.close();
    }
  }

  @Test
  void bindsLoopbackByDefaultAndRefusesABusyPort() throws Exception {
    try (DrainServer server = TestServer.start()) {
      assertTrue(server.baseUrl().startsWith("http://127.0.0.1:"), server.baseUrl());
      DrainException busy = assertThrows(DrainException.class,
          () -> DrainServer.start(TestServer.source(), TestServer.options().withPort(server.port())));
      assertTrue(busy.getMessage().contains("cannot listen on 127.0.0.1:" + server.port()), busy.getMessage());
    }
  }
}
