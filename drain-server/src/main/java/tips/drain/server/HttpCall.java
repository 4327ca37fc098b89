package tips.drain.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** One HTTP exchange: the body read within a limit, and one answer (a whole body or an event stream). */
final class HttpCall {
  private final HttpExchange exchange;
  private int status;
  private boolean answered;

  HttpCall(HttpExchange exchange) {
    this.exchange = exchange;
  }

  HttpExchange exchange() {
    return exchange;
  }

  String method() {
    return exchange.getRequestMethod();
  }

  String path() {
    return exchange.getRequestURI().getPath();
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  void setHeader(String name, String value) {
    exchange.getResponseHeaders().set(name, value);
  }

  /** The status sent, 0 before any. */
  int status() {
    return status;
  }

  boolean answered() {
    return answered;
  }

  /** The body, or a 413 when it is longer than {@code limit} bytes. */
  byte[] body(int limit) throws IOException {
    String length = header("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > limit) {
          throw ApiException.tooLarge(limit);
        }
      } catch (NumberFormatException e) {
        throw ApiException.badRequest(null, "Content-Length is not a number");
      }
    }
    InputStream in = exchange.getRequestBody();
    byte[] buffer = new byte[Math.min(limit + 1, 64 * 1024)];
    int n = 0;
    while (true) {
      if (n == buffer.length) {
        if (n > limit) {
          throw ApiException.tooLarge(limit);
        }
        buffer = Arrays.copyOf(buffer, Math.min(limit + 1, buffer.length * 2));
      }
      int r = in.read(buffer, n, buffer.length - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    if (n > limit) {
      throw ApiException.tooLarge(limit);
    }
    return Arrays.copyOf(buffer, n);
  }

  void json(int code, JsonNode body) throws IOException {
    send(code, "application/json", Json.write(body));
  }

  void send(int code, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    setHeader("Content-Type", contentType);
    begin(code, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** A status without a body (e.g. 204). */
  void empty(int code) throws IOException {
    begin(code, -1);
  }

  /** Starts a {@code text/event-stream} answer with status 200. */
  SseStream events() throws IOException {
    setHeader("Content-Type", "text/event-stream; charset=utf-8");
    setHeader("Cache-Control", "no-cache");
    setHeader("X-Accel-Buffering", "no");
    begin(200, 0);
    return new SseStream(exchange.getResponseBody());
  }

  private void begin(int code, long length) throws IOException {
    if (answered) {
      throw new IllegalStateException("answered twice");
    }
    answered = true;
    status = code;
    exchange.sendResponseHeaders(code, length);
  }
}
