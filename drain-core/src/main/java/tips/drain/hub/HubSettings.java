package tips.drain.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where the hub is, who we are and where files go, read from the environment variables huggingface_hub reads:
 * {@code HF_ENDPOINT} (a mirror; default {@code https://huggingface.co}), {@code HF_TOKEN} (else the file
 * {@code HF_TOKEN_PATH}, else {@code $HF_HOME/token} that {@code huggingface-cli login} writes),
 * {@code HF_HUB_CACHE} (else {@code $HF_HOME/hub}; {@code HF_HOME} defaults to
 * {@code $XDG_CACHE_HOME/huggingface} or {@code ~/.cache/huggingface}) and {@code HF_HUB_OFFLINE}.
 *
 * @param token a bearer token, or null for anonymous requests
 * @param tokenSource where the token came from (for error messages), or null
 */
public record HubSettings(String endpoint, String token, String tokenSource, Path cache, boolean offline, Retry retry) {
  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

  /**
   * Retries of 429, 5xx and broken connections: {@code attempts} in all, waits doubling from {@code first} to
   * {@code max}; a download that receives nothing for {@code stall} counts as broken.
   */
  public record Retry(int attempts, Duration first, Duration max, Duration stall) {
    public static final Retry DEFAULT = new Retry(6, Duration.ofSeconds(1), Duration.ofSeconds(16), Duration.ofSeconds(60));

    public Retry {
      if (attempts < 1) {
        throw new IllegalArgumentException("retry attempts must be at least 1, got " + attempts);
      }
    }

    /** The wait before retry number {@code retry} (1-based). */
    Duration wait(int retry) {
      long millis = first.toMillis() << Math.min(20, retry - 1);
      return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
  }

  public HubSettings {
    endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      throw new IllegalArgumentException("HF_ENDPOINT must be an http:// or https:// URL, not '" + endpoint + "'");
    }
  }

  public static HubSettings fromEnvironment() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  public static HubSettings fromEnvironment(Map<String, String> env, Path userHome) {
    Path hfHome = hfHome(env, userHome);
    String endpoint = nonBlank(env.get("HF_ENDPOINT")) ? env.get("HF_ENDPOINT").strip() : DEFAULT_ENDPOINT;
    String token = null;
    String source = null;
    for (String name : new String[] {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
      if (token == null && nonBlank(env.get(name))) {
        token = env.get(name).strip();
        source = name;
      }
    }
    if (token == null) {
      Path file = nonBlank(env.get("HF_TOKEN_PATH")) ? Path.of(env.get("HF_TOKEN_PATH")) : hfHome.resolve("token");
      token = readToken(file);
      source = token == null ? null : file.toString();
    }
    return new HubSettings(endpoint, token, source, cacheDirectory(env, userHome), truthy(env.get("HF_HUB_OFFLINE")),
        Retry.DEFAULT);
  }

  /** The hub cache folder the environment names (it need not exist). */
  public static Path cacheDirectory(Map<String, String> env, Path userHome) {
    for (String name : new String[] {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"}) {
      if (nonBlank(env.get(name))) {
        return expandHome(env.get(name), userHome);
      }
    }
    return hfHome(env, userHome).resolve("hub");
  }

  private static Path hfHome(Map<String, String> env, Path userHome) {
    if (nonBlank(env.get("HF_HOME"))) {
      return expandHome(env.get("HF_HOME"), userHome);
    }
    Path cache = nonBlank(env.get("XDG_CACHE_HOME")) ? expandHome(env.get("XDG_CACHE_HOME"), userHome)
        : userHome.resolve(".cache");
    return cache.resolve("huggingface");
  }

  private static Path expandHome(String path, Path userHome) {
    return path.equals("~") ? userHome : path.startsWith("~/") ? userHome.resolve(path.substring(2)) : Path.of(path);
  }

  private static String readToken(Path file) {
    try {
      String t = Files.readString(file, StandardCharsets.UTF_8).strip();
      return t.isEmpty() ? null : t;
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  private static boolean truthy(String v) {
    return v != null && switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      default -> false;
    };
  }

  private static boolean nonBlank(String s) {
    return s != null && !s.isBlank();
  }

  public HubSettings withEndpoint(String endpoint) {
    return new HubSettings(endpoint, token, tokenSource, cache, offline, retry);
  }

  public HubSettings withToken(String token, String source) {
    return new HubSettings(endpoint, token, source, cache, offline, retry);
  }

  public HubSettings withCache(Path cache) {
    return new HubSettings(endpoint, token, tokenSource, cache, offline, retry);
  }

  public HubSettings withRetry(Retry retry) {
    return new HubSettings(endpoint, token, tokenSource, cache, offline, retry);
  }

  @Override
  public String toString() {
    return "HubSettings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "from " + tokenSource)
        + ", cache=" + cache + ", offline=" + offline + "]";
  }
}
