package tips.drain.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import tips.drain.DrainException;
import tips.drain.api.ContextLengthException;
import tips.drain.engine.EngineBusyException;
import tips.drain.tokenizer.Tokenizer;

/**
 * Dispatches requests to the endpoints, after CORS and the API key; answers every error in OpenAI's shape and
 * counts every answer in the metrics.
 */
final class Routes {
  private static final System.Logger LOG = System.getLogger(DrainServer.class.getName());

  private final ServerOptions options;
  private final Metrics metrics = new Metrics();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final long created = System.currentTimeMillis() / 1000;
  private volatile ServedModel served;
  private volatile SlotPool pool;
  private volatile Completions completions;
  private volatile String loadError;

  Routes(ServerOptions options) {
    this.options = options;
  }

  void ready(ServedModel model, SlotPool slots) {
    this.pool = slots;
    this.completions = new Completions(model, slots, metrics);
    this.served = model;
  }

  void failed(Throwable e) {
    loadError = e instanceof DrainException ? e.getMessage() : e.toString();
  }

  /** Starts stopping; false if it already had. */
  boolean beginStop() {
    return stopping.compareAndSet(false, true);
  }

  /** Completion requests waiting or running. */
  int inFlight() {
    return inFlight.get();
  }

  void cancelAll() {
    Completions c = completions;
    if (c != null) {
      c.cancelAll();
    }
  }

  void handle(HttpExchange exchange) {
    long arrival = System.nanoTime();
    HttpCall call = new HttpCall(exchange);
    String route = route(call.path());
    try {
      cors(call);
      if (call.method().equals("OPTIONS")) {
        preflight(call);
        return;
      }
      if (!call.path().equals("/health")) {
        authorize(call);
      }
      dispatch(call, route, arrival);
    } catch (ApiException e) {
      answerError(call, e);
    } catch (EngineBusyException e) {
      answerError(call, ApiException.unavailable("engine_busy", e.getMessage()));
    } catch (ContextLengthException e) {
      answerError(call, ApiException.badRequest(null, "context_length_exceeded", e.getMessage()));
    } catch (DrainException e) {
      answerError(call, ApiException.internal(e.getMessage()));
    } catch (IOException e) {
      // the client went away while we answered
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "drain serve: " + call.method() + " " + call.path() + " failed", e);
      answerError(call, ApiException.internal("internal error (" + e.getClass().getSimpleName()
          + "); the server's log has the details"));
    } finally {
      metrics.request(route, call.status() == 0 ? 499 : call.status());
      exchange.close();
    }
  }

  private void dispatch(HttpCall call, String route, long arrival) throws IOException {
    switch (route) {
      case "/health" -> health(call);
      case "/metrics" -> {
        require(call, "GET");
        SlotPool p = pool;
        long capacity = p == null ? 0 : (long) p.contextLength() * options.parallel();
        StringBuilder text = new StringBuilder(metrics.render(() -> p == null ? 0 : p.waiting(), capacity));
        ServedModel s = served;
        if (s != null) {
          Metrics.engine(text, s.model().engine().counters());
        }
        call.send(200, "text/plain; version=0.0.4; charset=utf-8", text.toString());
      }
      case "/v1/models" -> {
        require(call, "GET");
        models(call);
      }
      case "/v1/models/{id}" -> {
        require(call, "GET");
        model(call, call.path().substring(call.path().lastIndexOf('/') + 1));
      }
      case "/v1/chat/completions", "/v1/completions" -> {
        require(call, "POST");
        ObjectNode body = Json.parseObject(call.body(options.maxBodyBytes()));
        Completions c = completionsOrUnavailable();
        inFlight.incrementAndGet();
        try {
          if (stopping.get()) {
            throw ApiException.unavailable("shutting_down", "the server is shutting down");
          }
          if (route.equals("/v1/chat/completions")) {
            c.chat(call, body, arrival);
          } else {
            c.text(call, body, arrival);
          }
        } catch (ApiException e) {
          answerError(call, e); // before it counts as done: a stopping server waits for the answer
        } finally {
          inFlight.decrementAndGet();
        }
      }
      case "/tokenize" -> {
        require(call, "POST");
        tokenize(call, Json.parseObject(call.body(options.maxBodyBytes())));
      }
      case "/detokenize" -> {
        require(call, "POST");
        detokenize(call, Json.parseObject(call.body(options.maxBodyBytes())));
      }
      default -> throw ApiException.notFound(null, "not_found", "no route " + call.method() + " " + call.path()
          + " (this server has /v1/chat/completions, /v1/completions, /v1/models, /health, /tokenize, /detokenize,"
          + " /metrics)");
    }
  }

  /** The route a path belongs to, as the metrics name it ({@code /chat/completions} is an alias). */
  static String route(String path) {
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (!p.startsWith("/v1/") && (p.equals("/chat/completions") || p.equals("/completions") || p.equals("/models"))) {
      p = "/v1" + p;
    }
    if (p.startsWith("/v1/models/") && p.length() > "/v1/models/".length()) {
      return "/v1/models/{id}";
    }
    return switch (p) {
      case "/health", "/metrics", "/v1/models", "/v1/chat/completions", "/v1/completions", "/tokenize",
          "/detokenize" -> p;
      default -> "other";
    };
  }

  private void health(HttpCall call) throws IOException {
    if (stopping.get()) {
      throw ApiException.unavailable("shutting_down", "the server is shutting down");
    }
    if (loadError != null) {
      throw ApiException.internal("the model failed to load: " + loadError);
    }
    if (served == null) {
      throw ApiException.unavailable("loading", "the model is loading");
    }
    ObjectNode ok = Json.object();
    ok.put("status", "ok");
    call.json(200, ok);
  }

  private ServedModel servedOrUnavailable() {
    ServedModel s = served;
    if (s == null) {
      if (stopping.get()) {
        throw ApiException.unavailable("shutting_down", "the server is shutting down");
      }
      throw loadError != null ? ApiException.internal("the model failed to load: " + loadError)
          : ApiException.unavailable("loading", "the model is loading; GET /health says when it is ready");
    }
    return s;
  }

  private Completions completionsOrUnavailable() {
    servedOrUnavailable();
    return completions;
  }

  private void models(HttpCall call) throws IOException {
    ServedModel s = servedOrUnavailable();
    ObjectNode list = Json.object();
    list.put("object", "list");
    ArrayNode data = list.putArray("data");
    for (String name : s.names()) {
      data.add(modelJson(name));
    }
    call.json(200, list);
  }

  private void model(HttpCall call, String id) throws IOException {
    ServedModel s = servedOrUnavailable();
    if (!s.names().contains(id)) {
      throw ApiException.notFound("model", "model_not_found", "model '" + id + "' is not served here");
    }
    call.json(200, modelJson(id));
  }

  private ObjectNode modelJson(String name) {
    ObjectNode m = Json.object();
    m.put("id", name);
    m.put("object", "model");
    m.put("created", created);
    m.put("owned_by", "drain");
    return m;
  }

  private void tokenize(HttpCall call, ObjectNode body) throws IOException {
    Tokenizer tokenizer = servedOrUnavailable().tokenizer();
    Fields f = new Fields(body);
    String content = f.string("content");
    if (content == null) {
      throw ApiException.badRequest("content", "'content' is required");
    }
    boolean special = Boolean.TRUE.equals(f.bool("add_special"));
    boolean pieces = Boolean.TRUE.equals(f.bool("with_pieces"));
    int[] ids = tokenizer.encode(content, special);
    ObjectNode out = Json.object();
    ArrayNode tokens = out.putArray("tokens");
    for (int id : ids) {
      if (pieces) {
        ObjectNode t = tokens.addObject();
        t.put("id", id);
        t.put("piece", tokenizer.decode(new int[] {id}, false));
      } else {
        tokens.add(id);
      }
    }
    call.json(200, out);
  }

  private void detokenize(HttpCall call, ObjectNode body) throws IOException {
    Tokenizer tokenizer = servedOrUnavailable().tokenizer();
    JsonNode list = new Fields(body).raw("tokens");
    if (list == null || !list.isArray()) {
      throw ApiException.badRequest("tokens", "'tokens' must be an array of token ids, got " + Fields.kind(list));
    }
    int[] ids = new int[list.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode e = list.get(i);
      if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 0 || e.asInt() >= tokenizer.vocabSize()) {
        throw ApiException.badRequest("tokens", "'tokens[" + i + "]' must be a token id in 0.."
            + (tokenizer.vocabSize() - 1) + ", got " + e.asText());
      }
      ids[i] = e.asInt();
    }
    ObjectNode out = Json.object();
    out.put("content", tokenizer.decode(ids, false));
    call.json(200, out);
  }

  private static void require(HttpCall call, String method) {
    if (!call.method().equals(method)) {
      call.setHeader("Allow", method + ", OPTIONS");
      throw ApiException.methodNotAllowed(call.method(), call.path());
    }
  }

  /** 401 unless the key is set and sent as {@code Authorization: Bearer KEY} or {@code X-Api-Key: KEY}. */
  private void authorize(HttpCall call) {
    if (options.apiKey() == null) {
      return;
    }
    String bearer = call.header("Authorization");
    String sent = null;
    if (bearer != null && bearer.regionMatches(true, 0, "Bearer ", 0, 7)) {
      sent = bearer.substring(7).strip();
    } else if (call.header("X-Api-Key") != null) {
      sent = call.header("X-Api-Key").strip();
    }
    if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
        options.apiKey().getBytes(StandardCharsets.UTF_8))) {
      call.setHeader("WWW-Authenticate", "Bearer");
      throw ApiException.unauthorized();
    }
  }

  /** CORS headers for an allowed origin; none when CORS is not configured or the origin is another. */
  private void cors(HttpCall call) {
    String allowed = options.corsOrigin();
    String origin = call.header("Origin");
    if (allowed == null || origin == null) {
      return;
    }
    if (allowed.equals("*")) {
      call.setHeader("Access-Control-Allow-Origin", "*");
    } else if (allowed.equalsIgnoreCase(origin)) {
      call.setHeader("Access-Control-Allow-Origin", origin);
      call.setHeader("Vary", "Origin");
    }
  }

  private void preflight(HttpCall call) throws IOException {
    call.setHeader("Allow", "GET, POST, OPTIONS");
    if (call.exchange().getResponseHeaders().containsKey("Access-Control-Allow-Origin")) {
      call.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      String asked = call.header("Access-Control-Request-Headers");
      call.setHeader("Access-Control-Allow-Headers", asked != null ? asked
          : "Authorization, Content-Type, X-Api-Key");
      call.setHeader("Access-Control-Max-Age", "600");
    }
    call.empty(204);
  }

  private void answerError(HttpCall call, ApiException e) {
    if (call.answered()) {
      LOG.log(System.Logger.Level.WARNING, "drain serve: after the answer began: " + e.getMessage());
      return;
    }
    try {
      call.json(e.status(), Json.error(e));
    } catch (IOException gone) {
      // the client went away
    }
  }
}
