package tips.drain.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tips.drain.api.LoadOptions;
import tips.drain.sampling.SamplingParams;
import tips.drain.testing.TestData;

/** The wire format, checked as llama.cpp's server test suite checks it, with a plain HTTP client. */
class ProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static DrainServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String chatBody(String extra) {
    return "{\"model\":\"stories260K\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
        + "\"max_tokens\":24,\"temperature\":0" + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  private static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static JsonNode error(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode e = JSON.readTree(r.body()).get("error");
    assertTrue(e.has("message") && e.has("type") && e.has("param") && e.has("code"), r.body());
    String m = e.get("message").asText();
    assertFalse(m.contains("jackson") || m.contains("Jackson") || m.contains("com.fasterxml") || m.contains("Exception"), m);
    return e;
  }

  @Test
  void nonStreamedChatCarriesUsageWithExactCounts() throws Exception {
    JsonNode r = ok(TestServer.post(server, "/v1/chat/completions", chatBody("")));
    assertEquals("chat.completion", r.get("object").asText());
    assertTrue(r.get("id").asText().startsWith("chatcmpl-"));
    assertEquals("stories260K", r.get("model").asText());
    JsonNode choice = r.get("choices").get(0);
    assertEquals("assistant", choice.get("message").get("role").asText());
    assertEquals("length", choice.get("finish_reason").asText());
    String text = choice.get("message").get("content").asText();
    assertFalse(text.isBlank());
    // the prompt as the template renders it, counted by /tokenize
    JsonNode tokens = ok(TestServer.post(server, "/tokenize", "{\"content\":\"<s>Once upon a time\"}"));
    JsonNode usage = r.get("usage");
    assertEquals(tokens.get("tokens").size(), usage.get("prompt_tokens").asInt());
    assertEquals(24, usage.get("completion_tokens").asInt());
    assertEquals(usage.get("prompt_tokens").asInt() + 24, usage.get("total_tokens").asInt());
  }

  @Test
  void streamedChatHasRoleOnlyFirstChunkOneIdFinishChunkWithoutContentUsageAndDone() throws Exception {
    String whole = ok(TestServer.post(server, "/v1/chat/completions", chatBody(""))).get("choices").get(0)
        .get("message").get("content").asText();
    HttpResponse<String> r = TestServer.post(server, "/v1/chat/completions",
        chatBody("\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    Sse sse = Sse.parse(r.body());
    assertTrue(sse.done());
    List<JsonNode> events = sse.events();
    Set<String> ids = new HashSet<>();
    events.forEach(e -> ids.add(e.get("id").asText()));
    assertEquals(1, ids.size(), "one id on every chunk");
    JsonNode first = events.get(0).get("choices").get(0);
    assertEquals(Set.of("role"), fieldNames(first.get("delta")));
    assertEquals("assistant", first.get("delta").get("role").asText());
    JsonNode finish = events.get(events.size() - 2).get("choices").get(0);
    assertEquals(0, finish.get("delta").size(), "the finish chunk has an empty delta");
    assertEquals("length", finish.get("finish_reason").asText());
    JsonNode usage = events.get(events.size() - 1);
    assertEquals(0, usage.get("choices").size());
    assertEquals(24, usage.get("usage").get("completion_tokens").asInt());
    for (JsonNode e : events.subList(1, events.size() - 2)) {
      assertEquals("chat.completion.chunk", e.get("object").asText());
      assertTrue(e.get("choices").get(0).get("finish_reason").isNull());
    }
    assertEquals(whole, sse.chatText(), "streamed text == non-streamed text");
    assertTrue(events.size() > 10, "one chunk per token, not one at the end");
  }

  private static Set<String> fieldNames(JsonNode n) {
    Set<String> names = new HashSet<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void streamWithoutIncludeUsageHasNoUsageChunk() throws Exception {
    Sse sse = Sse.parse(TestServer.post(server, "/v1/chat/completions", chatBody("\"stream\":true")).body());
    JsonNode last = sse.events().get(sse.events().size() - 1);
    assertEquals("length", last.get("choices").get(0).get("finish_reason").asText());
    assertFalse(last.has("usage") && !last.get("usage").isNull());
  }

  @Test
  void stopStringsCutTheTextAndFinishWithStop() throws Exception {
    String whole = ok(TestServer.post(server, "/v1/chat/completions", chatBody(""))).get("choices").get(0)
        .get("message").get("content").asText();
    String stop = whole.substring(8, 12);
    String expected = whole.substring(0, whole.indexOf(stop));
    JsonNode r = ok(TestServer.post(server, "/v1/chat/completions", chatBody("\"stop\":[" + JSON.writeValueAsString(stop) + "]")));
    assertEquals(expected, r.get("choices").get(0).get("message").get("content").asText());
    assertEquals("stop", r.get("choices").get(0).get("finish_reason").asText());
    Sse sse = Sse.parse(TestServer.post(server, "/v1/chat/completions",
        chatBody("\"stream\":true,\"stop\":" + JSON.writeValueAsString(stop))).body());
    assertEquals(expected, sse.chatText());
  }

  @Test
  void seededSamplingIsReproducibleAndSeedsDiffer() throws Exception {
    String a = ok(TestServer.post(server, "/v1/chat/completions", chatBody("\"temperature\":1,\"seed\":7"))).toString();
    String b = ok(TestServer.post(server, "/v1/chat/completions", chatBody("\"temperature\":1,\"seed\":7"))).toString();
    String c = ok(TestServer.post(server, "/v1/chat/completions", chatBody("\"temperature\":1,\"seed\":8"))).toString();
    assertEquals(text(a), text(b));
    assertNotEquals(text(a), text(c));
  }

  private static String text(String response) throws Exception {
    return JSON.readTree(response).get("choices").get(0).get("message").get("content").asText();
  }

  @Test
  void textCompletionsTakeTextOrTokenIdsAndStream() throws Exception {
    JsonNode byText = ok(TestServer.post(server, "/v1/completions",
        "{\"prompt\":\"Once upon a time\",\"max_tokens\":16,\"temperature\":0}"));
    assertEquals("text_completion", byText.get("object").asText());
    assertTrue(byText.get("id").asText().startsWith("cmpl-"));
    JsonNode ids = ok(TestServer.post(server, "/tokenize", "{\"content\":\"Once upon a time\",\"add_special\":true}")).get("tokens");
    JsonNode byIds = ok(TestServer.post(server, "/v1/completions",
        "{\"prompt\":" + ids + ",\"max_tokens\":16,\"temperature\":0}"));
    String text = byText.get("choices").get(0).get("text").asText();
    assertEquals(text, byIds.get("choices").get(0).get("text").asText());
    assertEquals(ids.size(), byIds.get("usage").get("prompt_tokens").asInt());
    Sse sse = Sse.parse(TestServer.post(server, "/v1/completions",
        "{\"prompt\":\"Once upon a time\",\"max_tokens\":16,\"temperature\":0,\"stream\":true}").body());
    StringBuilder streamed = new StringBuilder();
    sse.events().forEach(e -> streamed.append(e.get("choices").get(0).get("text").asText()));
    assertEquals(text, streamed.toString());
    JsonNode last = sse.events().get(sse.events().size() - 1).get("choices").get(0);
    assertEquals("", last.get("text").asText());
    assertEquals("length", last.get("finish_reason").asText());
    // the detokenized ids are the text again
    assertEquals("Once upon a time", ok(TestServer.post(server, "/detokenize",
        "{\"tokens\":" + ids + "}")).get("content").asText().replace("<s>", "").strip());
  }

  @Test
  void logprobsOfEachTokenWithTheMostLikelyFirst() throws Exception {
    JsonNode r = ok(TestServer.post(server, "/v1/chat/completions", chatBody("\"logprobs\":true,\"top_logprobs\":3")));
    JsonNode content = r.get("choices").get(0).get("logprobs").get("content");
    assertEquals(24, content.size());
    StringBuilder joined = new StringBuilder();
    for (JsonNode t : content) {
      JsonNode top = t.get("top_logprobs");
      assertEquals(3, top.size());
      assertTrue(top.get(0).get("logprob").asDouble() >= top.get(1).get("logprob").asDouble());
      assertTrue(top.get(1).get("logprob").asDouble() >= top.get(2).get("logprob").asDouble());
      // greedy: the chosen token is the most likely one
      assertEquals(top.get(0).get("token").asText(), t.get("token").asText());
      assertEquals(top.get(0).get("logprob").asDouble(), t.get("logprob").asDouble(), 1e-6);
      assertTrue(t.get("logprob").asDouble() <= 0);
      joined.append(t.get("token").asText());
    }
    assertEquals(r.get("choices").get(0).get("message").get("content").asText().strip(), joined.toString().strip());
    JsonNode legacy = ok(TestServer.post(server, "/v1/completions",
        "{\"prompt\":\"Once upon a time\",\"max_tokens\":5,\"temperature\":0,\"logprobs\":2}"))
        .get("choices").get(0).get("logprobs");
    assertEquals(5, legacy.get("tokens").size());
    assertEquals(5, legacy.get("token_logprobs").size());
    assertEquals(2, legacy.get("top_logprobs").get(0).size());
  }

  @Test
  void invalidJsonAndInvalidMessagesAre400NamingTheField() throws Exception {
    JsonNode e = error(TestServer.post(server, "/v1/chat/completions", "{\"messages\": [ nope"), 400);
    assertTrue(e.get("message").asText().contains("not valid JSON"), e.toString());
    assertTrue(e.get("param").isNull());
    error(TestServer.post(server, "/v1/chat/completions", "[1,2]"), 400);
    error(TestServer.post(server, "/v1/chat/completions", ""), 400);
    assertEquals("messages", error(TestServer.post(server, "/v1/chat/completions", "{\"model\":\"stories260K\"}"), 400)
        .get("param").asText());
    assertEquals("messages", error(TestServer.post(server, "/v1/chat/completions", "{\"messages\":\"hi\"}"), 400)
        .get("param").asText());
    assertEquals("messages", error(TestServer.post(server, "/v1/chat/completions", "{\"messages\":[]}"), 400)
        .get("param").asText());
    assertEquals("messages[0].role", error(TestServer.post(server, "/v1/chat/completions",
        "{\"messages\":[{\"content\":\"hi\"}]}"), 400).get("param").asText());
    assertEquals("messages[0].role", error(TestServer.post(server, "/v1/chat/completions",
        "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}"), 400).get("param").asText());
    assertEquals("messages[0].content", error(TestServer.post(server, "/v1/chat/completions",
        "{\"messages\":[{\"role\":\"user\",\"content\":7}]}"), 400).get("param").asText());
    JsonNode typed = error(TestServer.post(server, "/v1/chat/completions", chatBody("\"temperature\":\"hot\"")), 400);
    assertEquals("temperature", typed.get("param").asText());
    assertTrue(typed.get("message").asText().contains("'temperature' must be a number"), typed.toString());
    assertEquals("max_tokens", error(TestServer.post(server, "/v1/chat/completions", chatBody("\"max_tokens\":-1")), 400)
        .get("param").asText());
    assertEquals("stream_options.include_usage", error(TestServer.post(server, "/v1/chat/completions",
        chatBody("\"stream_options\":{\"include_usage\":\"yes\"}")), 400).get("param").asText());
    assertEquals("stop", error(TestServer.post(server, "/v1/chat/completions", chatBody("\"stop\":7")), 400)
        .get("param").asText());
    JsonNode n = error(TestServer.post(server, "/v1/chat/completions", chatBody("\"n\":2")), 400);
    assertEquals("n", n.get("param").asText());
    assertTrue(n.get("message").asText().contains("one choice per request"));
    // unknown fields are ignored
    ok(TestServer.post(server, "/v1/chat/completions", chatBody("\"frobnicate\":{\"x\":1},\"user\":\"u1\"")));
  }

  @Test
  void unknownRouteAndModelAre404() throws Exception {
    assertEquals("not_found", error(TestServer.post(server, "/v2/nothing", "{}"), 404).get("code").asText());
    JsonNode m = error(TestServer.post(server, "/v1/chat/completions", chatBody("\"model\":\"gpt-9\"")), 404);
    assertEquals("model", m.get("param").asText());
    assertEquals("model_not_found", m.get("code").asText());
    error(TestServer.get(server, "/v1/models/gpt-9"), 404);
    assertEquals(405, TestServer.get(server, "/v1/chat/completions").statusCode());
  }

  @Test
  void promptLongerThanTheContextIs400WithTheCounts() throws Exception {
    String prompt = "Once upon a time ".repeat(200);
    JsonNode e = error(TestServer.post(server, "/v1/completions", "{\"prompt\":\"" + prompt + "\",\"max_tokens\":4}"), 400);
    assertEquals("context_length_exceeded", e.get("code").asText());
    assertTrue(e.get("message").asText().matches(".*the prompt has \\d+ tokens but the context holds 512.*"),
        e.get("message").asText());
  }

  @Test
  void ignoreEosIsReadAndTypeChecked() throws Exception {
    CompletionRequest r = CompletionRequest.text((ObjectNode) JSON.readTree(
        "{\"prompt\":\"x\",\"ignore_eos\":true}"), SamplingParams.GREEDY);
    assertTrue(r.ignoreEos());
    assertEquals("ignore_eos", error(TestServer.post(server, "/v1/completions",
        "{\"prompt\":\"x\",\"ignore_eos\":\"yes\"}"), 400).get("param").asText());
    JsonNode runs = ok(TestServer.post(server, "/v1/completions",
        "{\"prompt\":\"Once\",\"max_tokens\":50,\"ignore_eos\":true,\"temperature\":0}"));
    assertEquals(50, runs.get("usage").get("completion_tokens").asInt());
  }

  @Test
  void modelsHealthAndMetrics() throws Exception {
    JsonNode models = ok(TestServer.get(server, "/v1/models"));
    assertEquals("list", models.get("object").asText());
    assertEquals("stories260K", models.get("data").get(0).get("id").asText());
    assertEquals("stories260K", ok(TestServer.get(server, "/v1/models/stories260K")).get("id").asText());
    assertEquals("ok", ok(TestServer.get(server, "/health")).get("status").asText());
    ok(TestServer.post(server, "/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":3}"));
    HttpResponse<String> metrics = TestServer.get(server, "/metrics");
    assertEquals(200, metrics.statusCode());
    String m = metrics.body();
    for (String name : List.of("drain_requests_total{route=\"/v1/completions\",status=\"200\"}",
        "drain_prompt_tokens_total", "drain_generated_tokens_total", "drain_queue_depth 0", "drain_active_sequences 0",
        "drain_kv_cache_used_tokens 0", "drain_kv_cache_capacity_tokens 2048", "drain_time_to_first_token_seconds_bucket",
        "drain_decode_tokens_per_second_count", "drain_engine_steps_total", "drain_engine_reused_tokens_total")) {
      assertTrue(m.contains(name), name + " in\n" + m);
    }
  }

  @Test
  void tokenizeWithPiecesAndDetokenizeRefusesBadIds() throws Exception {
    JsonNode t = ok(TestServer.post(server, "/tokenize", "{\"content\":\"Once\",\"with_pieces\":true}"));
    assertTrue(t.get("tokens").get(0).has("piece"));
    assertEquals("tokens", error(TestServer.post(server, "/detokenize", "{\"tokens\":[1,99999]}"), 400)
        .get("param").asText());
    assertEquals("content", error(TestServer.post(server, "/tokenize", "{}"), 400).get("param").asText());
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    String big = "{\"prompt\":\"" + "a".repeat(5 << 20) + "\"}";
    error(TestServer.post(server, "/v1/completions", big), 413);
  }

  @Test
  void chatOnAModelWithoutTemplateIs400() throws Exception {
    try (DrainServer plain = TestServer.start(ModelSource.load(TestData.model("stories260K"),
        LoadOptions.defaults().withThreads(1)), TestServer.options())) {
      JsonNode e = error(TestServer.post(plain, "/v1/chat/completions", chatBody("")), 400);
      assertTrue(e.get("message").asText().contains("--chat-template"), e.toString());
      ok(TestServer.post(plain, "/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":2}"));
    }
  }

  @Test
  void headersMapIsUnusedByDefault() throws Exception {
    assertEquals(200, TestServer.post(server, "/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":1}",
        Map.of("X-Unrelated", "1")).statusCode());
  }
}
