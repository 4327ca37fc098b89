package tips.drain.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face hub on loopback, speaking the protocol's headers: the listing at
 * {@code /api/models/REPO/revision/REV}, {@code HEAD|GET /REPO/resolve/REV/FILE} answering git-stored files
 * directly (ETag = git SHA-1) and LFS files with a 302 to a second loopback server, the "CDN", carrying
 * {@code X-Linked-Etag} (SHA-256), {@code X-Linked-Size} and {@code X-Repo-Commit}; errors with
 * {@code X-Error-Code}. The CDN serves {@code Range} requests with 206 and can misbehave on demand: answer 429,
 * cut the connection part-way, ignore ranges, send corrupted bytes, go slowly.
 */
final class FakeHub implements AutoCloseable {
  static final String REPO = "acme/tiny-llama";
  /** The repository's old name: the hub answers it with a relative 307 to the current one. */
  static final String RENAMED = "acme/old-name";
  static final String COMMIT = "4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee0001";
  private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");
  private static final Pattern API = Pattern.compile("/api/models/([^/]+/[^/]+)/revision/([^/?]+)");

  final Map<String, byte[]> files = new LinkedHashMap<>();
  final Map<String, Boolean> lfs = new LinkedHashMap<>();
  final Map<String, String> branches = new ConcurrentHashMap<>(Map.of("main", COMMIT));

  /** Requests without {@code Authorization: Bearer <token>} get 401 GatedRepo (null: public). */
  volatile String requiredToken;
  /** How many CDN GETs answer 429 (with Retry-After: 0) before serving. */
  final AtomicInteger tooManyRequests = new AtomicInteger();
  /** How many CDN GETs are cut after {@link #cutAfter} bytes of the body. */
  final AtomicInteger cuts = new AtomicInteger();
  volatile int cutAfter;
  volatile boolean ignoreRange;
  volatile boolean corrupt;
  /** Milliseconds the CDN sleeps per 8 KiB sent (for overlapping pulls). */
  volatile int slowMillis;
  /** How many CDN GETs answer 403, as an expired signed address does. */
  final AtomicInteger expired = new AtomicInteger();
  /** A cut connection stays open, silent, instead of closing. */
  volatile boolean hang;

  final List<String> cdnRanges = Collections.synchronizedList(new ArrayList<>());
  final List<String> cdnAuthorization = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger cdnGets = new AtomicInteger();
  final AtomicInteger hubRequests = new AtomicInteger();

  private final AtomicBoolean closed = new AtomicBoolean();
  private final HttpServer hub;
  private final ServerSocket cdn;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  FakeHub() throws IOException {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    hub = HttpServer.create(loopback, 0);
    cdn = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    hub.createContext("/", this::hub);
    hub.setExecutor(threads);
    hub.start();
    threads.submit(this::acceptCdn);
  }

  String endpoint() {
    return "http://127.0.0.1:" + hub.getAddress().getPort();
  }

  FakeHub add(String path, byte[] content, boolean storedInLfs) {
    files.put(path, content);
    lfs.put(path, storedInLfs);
    return this;
  }

  static String sha256(byte[] b) {
    return hex("SHA-256", b, null);
  }

  static String gitSha1(byte[] b) {
    return hex("SHA-1", b, ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
  }

  private static String hex(String algorithm, byte[] b, byte[] prefix) {
    try {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      if (prefix != null) {
        md.update(prefix);
      }
      return HexFormat.of().formatHex(md.digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  String etag(String path) {
    return lfs.get(path) ? sha256(files.get(path)) : gitSha1(files.get(path));
  }

  private void hub(HttpExchange x) throws IOException {
    hubRequests.incrementAndGet();
    try (x) {
      String path = x.getRequestURI().getRawPath();
      if (path.contains("/" + RENAMED + "/")) {
        x.getResponseHeaders().set("Location", path.replace("/" + RENAMED + "/", "/" + REPO + "/")
            + (x.getRequestURI().getRawQuery() == null ? "" : "?" + x.getRequestURI().getRawQuery()));
        x.sendResponseHeaders(307, -1);
        return;
      }
      Matcher api = API.matcher(path);
      Matcher resolve = RESOLVE.matcher(path);
      if (api.matches()) {
        String commit = check(x, api.group(1), decode(api.group(2)));
        if (commit != null) {
          send(x, 200, listing(commit).getBytes(StandardCharsets.UTF_8), "application/json");
        }
      } else if (resolve.matches()) {
        String commit = check(x, resolve.group(1), decode(resolve.group(2)));
        if (commit == null) {
          return;
        }
        String file = decode(resolve.group(3));
        if (!files.containsKey(file)) {
          error(x, 404, "EntryNotFound");
          return;
        }
        Headers h = x.getResponseHeaders();
        h.set("X-Repo-Commit", commit);
        byte[] body = files.get(file);
        if (lfs.get(file)) {
          h.set("ETag", "\"" + gitSha1(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256(body)).getBytes()) + "\"");
          h.set("X-Linked-Etag", "\"" + sha256(body) + "\"");
          h.set("X-Linked-Size", String.valueOf(body.length));
          h.set("Location", "http://127.0.0.1:" + cdn.getLocalPort() + "/repos/ab/cd/" + sha256(body)
              + "?X-Amz-Signature=fake&response-content-disposition=attachment");
          x.sendResponseHeaders(302, -1);
        } else {
          h.set("ETag", "\"" + gitSha1(body) + "\"");
          if (x.getRequestMethod().equals("HEAD")) {
            h.set("Content-Length", String.valueOf(body.length));
            x.sendResponseHeaders(200, -1);
          } else {
            send(x, 200, body, "application/octet-stream");
          }
        }
      } else {
        error(x, 404, "RepoNotFound");
      }
    }
  }

  /** The commit the request may read, or null after sending the error. */
  private String check(HttpExchange x, String repo, String revision) throws IOException {
    if (!repo.equals(REPO)) {
      error(x, 404, "RepoNotFound");
      return null;
    }
    String auth = x.getRequestHeaders().getFirst("Authorization");
    if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
      error(x, 401, "GatedRepo");
      return null;
    }
    String commit = revision.equals(COMMIT) ? COMMIT : branches.get(revision);
    if (commit == null) {
      error(x, 404, "RevisionNotFound");
    }
    return commit;
  }

  private String listing(String commit) {
    StringBuilder s = new StringBuilder("{\"id\":\"" + REPO + "\",\"sha\":\"" + commit + "\",\"gated\":"
        + (requiredToken != null ? "\"manual\"" : "false") + ",\"siblings\":[");
    String sep = "";
    for (var e : files.entrySet()) {
      s.append(sep).append("{\"rfilename\":\"").append(e.getKey()).append("\",\"size\":").append(e.getValue().length);
      if (lfs.get(e.getKey())) {
        s.append(",\"lfs\":{\"sha256\":\"").append(sha256(e.getValue())).append("\",\"size\":")
            .append(e.getValue().length).append(",\"pointerSize\":134}");
      }
      s.append('}');
      sep = ",";
    }
    return s.append("]}").toString();
  }

  private void acceptCdn() {
    while (!cdn.isClosed()) {
      try {
        Socket socket = cdn.accept();
        threads.submit(() -> {
          try (socket) {
            cdn(socket);
          } catch (IOException dropped) {
            // the client went away
          }
          return null;
        });
      } catch (IOException closed) {
        return;
      }
    }
  }

  /** One HTTP/1.1 request on a raw socket (so that a cut is a real cut), answered with Connection: close. */
  private void cdn(Socket socket) throws IOException {
    InputStream in = new BufferedInputStream(socket.getInputStream());
    String requestLine = line(in);
    Map<String, String> headers = new HashMap<>();
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
    }
    OutputStream out = socket.getOutputStream();
    cdnGets.incrementAndGet();
    if (headers.containsKey("authorization")) {
      cdnAuthorization.add(headers.get("authorization"));
    }
    if (tooManyRequests.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      respond(out, "429 Too Many Requests", "Retry-After: 0\r\n", "slow down".getBytes());
      return;
    }
    if (expired.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      respond(out, "403 Forbidden", "", "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
          .getBytes(StandardCharsets.UTF_8));
      return;
    }
    String target = requestLine.split(" ")[1];
    String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
    String sha = path.substring(path.lastIndexOf('/') + 1);
    byte[] body = files.entrySet().stream().filter(e -> lfs.get(e.getKey()) && sha256(e.getValue()).equals(sha))
        .map(Map.Entry::getValue).findFirst().orElse(null);
    if (body == null) {
      respond(out, "404 Not Found", "", "no such blob".getBytes());
      return;
    }
    if (corrupt) {
      body = body.clone();
      body[body.length / 2] ^= 0x55;
    }
    String range = headers.get("range");
    if (range != null) {
      cdnRanges.add(range);
    }
    int from = 0;
    String status = "200 OK";
    String extra = "Accept-Ranges: bytes\r\n";
    if (range != null && !ignoreRange) {
      Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
      if (!m.matches() || Integer.parseInt(m.group(1)) >= body.length) {
        respond(out, "416 Range Not Satisfiable", "Content-Range: bytes */" + body.length + "\r\n", new byte[0]);
        return;
      }
      from = Integer.parseInt(m.group(1));
      status = "206 Partial Content";
      extra += "Content-Range: bytes " + from + "-" + (body.length - 1) + "/" + body.length + "\r\n";
    }
    int length = body.length - from;
    out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + length
        + "\r\nConnection: close\r\n" + extra + "\r\n").getBytes(StandardCharsets.US_ASCII));
    int limit = cuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? Math.min(cutAfter, length) : length;
    for (int off = 0; off < limit; off += 8192) {
      out.write(body, from + off, Math.min(8192, limit - off));
      out.flush();
      if (slowMillis > 0) {
        sleep(slowMillis);
      }
    }
    out.flush();
    if (limit < length && hang) {
      sleep(30_000);
    }
  }

  private static void respond(OutputStream out, String status, String headers, byte[] body) throws IOException {
    out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n" + headers
        + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("request ended early");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  private static void error(HttpExchange x, int status, String code) throws IOException {
    x.getResponseHeaders().set("X-Error-Code", code);
    x.getResponseHeaders().set("X-Error-Message", code + " (fake hub)");
    send(x, status, ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8), "application/json");
  }

  private static void send(HttpExchange x, int status, byte[] body, String type) throws IOException {
    x.getResponseHeaders().set("Content-Type", type);
    if (x.getRequestMethod().equals("HEAD")) {
      x.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
      x.sendResponseHeaders(status, -1);
      return;
    }
    x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(body);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static void sleep(int millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    hub.stop(0);
    try {
      cdn.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    threads.shutdownNow();
  }
}
