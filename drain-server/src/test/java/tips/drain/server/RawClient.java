package tips.drain.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A client on a bare socket, to walk away from a streamed answer after reading part of it. */
final class RawClient {
  private RawClient() {}

  /**
   * Posts {@code body} to {@code path}, reads until {@code marker} has appeared {@code count} times in the answer,
   * and closes the connection. Returns what it read.
   */
  static String postAndHangUp(DrainServer server, String path, String body, String marker, int count)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
          + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder read = new StringBuilder();
      byte[] buffer = new byte[4096];
      while (occurrences(read, marker) < count) {
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        read.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
      return read.toString();
    }
  }

  private static int occurrences(CharSequence text, String marker) {
    int n = 0;
    for (int at = text.toString().indexOf(marker); at >= 0; at = text.toString().indexOf(marker, at + 1)) {
      n++;
    }
    return n;
  }
}
