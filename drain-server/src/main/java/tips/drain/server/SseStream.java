package tips.drain.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events as OpenAI streams them: {@code data: JSON} events, each flushed on its own, comment lines
 * to keep a waiting client's connection checked, and {@code data: [DONE]} at the end. A write that fails means
 * the client is gone; the caller stops generating.
 */
final class SseStream {
  private final OutputStream out;

  SseStream(OutputStream out) {
    this.out = out;
  }

  void event(JsonNode data) throws IOException {
    write("data: " + Json.write(data) + "\n\n");
  }

  /** A comment line, ignored by clients: it finds out whether the client is still there. */
  void ping() throws IOException {
    write(": ping\n\n");
  }

  void done() throws IOException {
    write("data: [DONE]\n\n");
  }

  void close() {
    try {
      out.close();
    } catch (IOException e) {
      // the client is gone; nothing left to tell it
    }
  }

  private void write(String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
