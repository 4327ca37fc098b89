package tips.drain.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import tips.drain.hub.HubException.Reason;

/**
 * The hub's HTTP protocol on {@code java.net.http}: the repository listing, file metadata from a HEAD that does
 * not follow a redirect to another host, and GETs that do (the bearer token only ever goes to the hub's own
 * host). 429, 5xx and broken connections are retried with doubling waits (or the server's {@code Retry-After}).
 */
final class HubHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REDIRECTS = 10;
  private static final String USER_AGENT = "drain/0.1; java/" + Runtime.version().feature();

  private final HubSettings settings;
  private final URI endpoint;
  private final HttpClient client;
  private final PullListener listener;

  HubHttp(HubSettings settings, PullListener listener) {
    this.settings = settings;
    this.endpoint = URI.create(settings.endpoint() + "/");
    this.listener = listener;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(20))
        .build();
  }

  /** {@code GET /api/models/REPO/revision/REV?blobs=true}: the commit and its files with sizes and LFS hashes. */
  RepoListing listing(RepoRef ref) {
    URI uri = endpoint.resolve("api/models/" + ref.repo() + "/revision/" + Urls.segment(ref.revision()) + "?blobs=true");
    String what = ref + " (" + uri + ")";
    HttpResponse<byte[]> r = send("GET", uri, null, HttpResponse.BodyHandlers.ofByteArray(), what, false);
    if (r.statusCode() != 200) {
      throw failure(r.statusCode(), r.headers(), ref, null, what);
    }
    JsonNode root;
    try {
      root = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new HubException(Reason.BAD_RESPONSE, what + ": the listing is not JSON: " + e.getMessage(), e);
    }
    String commit = root == null ? null : root.path("sha").asText(null);
    if (commit == null || !RepoRef.isCommitHash(commit)) {
      throw new HubException(Reason.BAD_RESPONSE, what + ": the listing has no commit hash 'sha'");
    }
    JsonNode siblings = root.get("siblings");
    if (siblings == null || !siblings.isArray()) {
      throw new HubException(Reason.BAD_RESPONSE, what + ": the listing has no 'siblings' array");
    }
    List<RemoteFile> files = new ArrayList<>();
    for (JsonNode s : siblings) {
      String path = s.path("rfilename").asText(null);
      if (path == null) {
        throw new HubException(Reason.BAD_RESPONSE, what + ": a sibling has no 'rfilename'");
      }
      JsonNode lfs = s.get("lfs");
      String sha = lfs != null && lfs.hasNonNull("sha256") ? lfs.get("sha256").asText() : null;
      long size = lfs != null && lfs.hasNonNull("size") ? lfs.get("size").asLong(-1) : s.path("size").asLong(-1);
      files.add(new RemoteFile(path, size, sha));
    }
    return new RepoListing(ref, commit, files);
  }

  /** {@code HEAD /REPO/resolve/COMMIT/FILE}, following only redirects within the hub (a renamed repository). */
  FileMetadata metadata(RepoRef ref, String commit, String path) {
    URI uri = endpoint.resolve(ref.repo() + "/resolve/" + Urls.segment(commit) + "/" + Urls.path(path));
    String what = ref.repo() + "/" + path;
    HttpResponse<Void> r = send("HEAD", uri, null, HttpResponse.BodyHandlers.discarding(), what, false);
    int status = r.statusCode();
    if (status >= 400 || status < 200) {
      throw failure(status, r.headers(), ref, path, what);
    }
    var h = r.headers();
    String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).map(HubHttp::normalizeEtag).orElse(null);
    if (etag == null || !etag.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new HubException(Reason.BAD_RESPONSE, what + ": the hub sent no usable ETag (" + etag + ")");
    }
    long size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length")).map(HubHttp::parseLong).orElse(-1L);
    if (size < 0) {
      throw new HubException(Reason.BAD_RESPONSE, what + ": the hub sent no file size (X-Linked-Size / Content-Length)");
    }
    URI location = status >= 300 ? r.uri().resolve(h.firstValue("Location").orElseThrow(() ->
        new HubException(Reason.BAD_RESPONSE, what + ": HTTP " + status + " without a Location"))) : r.uri();
    return new FileMetadata(h.firstValue("X-Repo-Commit").orElse(commit), etag, size, location);
  }

  /** A GET of {@code uri} with an optional {@code Range}, following every redirect; the body unread. */
  HttpResponse<InputStream> get(URI uri, String range, String what) {
    return send("GET", uri, range, HttpResponse.BodyHandlers.ofInputStream(), what, true);
  }

  /** Waits before another try after {@code why}; false when the retries are spent. */
  boolean backOff(String what, String why, int attempt) {
    if (attempt >= settings.retry().attempts()) {
      return false;
    }
    Duration wait = settings.retry().wait(attempt);
    listener.retrying(what, why, attempt, wait);
    sleep(wait);
    return true;
  }

  Duration stallLimit() {
    return settings.retry().stall();
  }

  int attempts() {
    return settings.retry().attempts();
  }

  private <T> HttpResponse<T> send(String method, URI start, String range, HttpResponse.BodyHandler<T> handler,
      String what, boolean crossHost) {
    for (int attempt = 1; ; attempt++) {
      HttpResponse<T> r;
      try {
        r = follow(method, start, range, handler, crossHost, what);
      } catch (IOException e) {
        String why = "cannot reach " + start.getHost() + ": " + describe(e);
        if (backOff(what, why, attempt)) {
          continue;
        }
        throw new HubException(Reason.NETWORK, what + ": " + why + " (after " + attempt + " attempts)", e);
      }
      int s = r.statusCode();
      if (s == 429 || s >= 500) {
        discard(r);
        String why = "HTTP " + s;
        if (attempt < attempts()) {
          Duration wait = r.headers().firstValue("Retry-After").map(HubHttp::seconds).orElse(null);
          if (wait != null && wait.compareTo(settings.retry().max()) <= 0) {
            listener.retrying(what, why, attempt, wait);
            sleep(wait);
            continue;
          }
          if (backOff(what, why, attempt)) {
            continue;
          }
        }
        throw new HubException(Reason.NETWORK, what + ": " + endpoint.getHost() + " answered HTTP " + s
            + (s == 429 ? " (too many requests)" : " (server error)") + " " + attempt + " times; try again later");
      }
      return r;
    }
  }

  private <T> HttpResponse<T> follow(String method, URI start, String range, HttpResponse.BodyHandler<T> handler,
      boolean crossHost, String what) throws IOException {
    URI uri = start;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
          .method(method, HttpRequest.BodyPublishers.noBody())
          .header("User-Agent", USER_AGENT)
          .header("Accept-Encoding", "identity");
      if (settings.token() != null && sameOrigin(uri, endpoint)) {
        b.header("Authorization", "Bearer " + settings.token());
      }
      if (range != null) {
        b.header("Range", range);
      }
      HttpResponse<T> r;
      try {
        r = client.send(b.build(), handler);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HubException(Reason.NETWORK, what + ": interrupted", e);
      }
      int s = r.statusCode();
      boolean redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
      if (!redirect || r.headers().firstValue("Location").isEmpty()) {
        return r;
      }
      URI next = uri.resolve(r.headers().firstValue("Location").get());
      if (!crossHost && !sameOrigin(next, uri)) {
        return r;
      }
      discard(r);
      if (hop >= MAX_REDIRECTS) {
        throw new HubException(Reason.BAD_RESPONSE, what + ": more than " + MAX_REDIRECTS + " redirects (last to " + next + ")");
      }
      uri = next;
    }
  }

  /** The typed error of an HTTP failure status, in words a user can act on. */
  HubException failure(int status, java.net.http.HttpHeaders headers, RepoRef ref, String path, String what) {
    String code = headers.firstValue("X-Error-Code").orElse("");
    String site = settings.endpoint();
    String login = "log in: export HF_TOKEN=hf_... (a read token from " + site + "/settings/tokens) or run"
        + " `huggingface-cli login`, which writes the token file DRAIN reads too";
    if (status == 401 || status == 403) {
      String prefix = ref.repo() + ": HTTP " + status + ": ";
      if (settings.token() != null && !"GatedRepo".equals(code)) {
        return new HubException(Reason.UNAUTHORIZED, prefix + "the token from " + settings.tokenSource()
            + " was refused, or it has no access to this repository (private, or not found); check it on "
            + site + "/settings/tokens");
      }
      if ("RepoNotFound".equals(code) && settings.token() == null) {
        return new HubException(Reason.UNAUTHORIZED, prefix + "no such repository on " + site
            + ", or it is private or gated; if you have access, " + login);
      }
      return new HubException(Reason.UNAUTHORIZED, prefix + "the model is gated: accept its terms on " + site + "/"
          + ref.repo() + ", then " + login);
    }
    if (status == 404) {
      return switch (code) {
        case "RevisionNotFound" -> new HubException(Reason.NOT_FOUND, ref.repo() + ": no revision '" + ref.revision()
            + "' (HTTP 404; a branch, tag or full commit hash)");
        case "EntryNotFound" -> new HubException(Reason.NOT_FOUND, ref + ": no file '" + path + "' (HTTP 404)");
        default -> path == null
            ? new HubException(Reason.NOT_FOUND, ref.repo() + ": no such repository on " + site + " (HTTP 404)")
            : new HubException(Reason.NOT_FOUND, what + ": not found (HTTP 404)");
      };
    }
    String message = headers.firstValue("X-Error-Message").map(m -> ": " + m).orElse("");
    return new HubException(Reason.BAD_RESPONSE, what + ": unexpected HTTP " + status + message);
  }

  /** Whether {@code uri} is on the hub's own host (where the token goes). */
  boolean isHub(URI uri) {
    return sameOrigin(uri, endpoint);
  }

  static String normalizeEtag(String etag) {
    String e = etag.strip();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    return e.replace("\"", "");
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(lower(a.getScheme()), lower(b.getScheme())) && Objects.equals(lower(a.getHost()), lower(b.getHost()))
        && port(a) == port(b);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Duration seconds(String retryAfter) {
    long s = parseLong(retryAfter);
    return s < 0 ? null : Duration.ofSeconds(s);
  }

  private static void discard(HttpResponse<?> r) {
    if (r.body() instanceof InputStream in) {
      try {
        in.close();
      } catch (IOException ignored) {
        // the connection is dropped either way
      }
    }
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    if (m != null && !m.isBlank()) {
      return m;
    }
    return switch (e) {
      case java.net.ConnectException c -> "connection refused";
      case java.net.http.HttpTimeoutException t -> "timed out";
      case java.net.UnknownHostException u -> "unknown host";
      default -> e.getClass().getSimpleName();
    };
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException(Reason.NETWORK, "interrupted while waiting to retry", e);
    }
  }
}
