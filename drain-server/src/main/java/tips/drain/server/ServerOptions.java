package tips.drain.server;

/**
 * How a {@link DrainServer} listens and serves. Immutable; the {@code with} methods return changed copies.
 *
 * @param host the address to bind ({@code 127.0.0.1} by default: only this machine can connect)
 * @param port the TCP port; 0 picks a free one ({@link DrainServer#port()} says which)
 * @param parallel sequences generated at once (slots); more requests wait in the queue
 * @param queueSize requests that may wait for a slot; one more is refused with 503
 * @param contextLength positions of each slot's KV cache; 0 for the model's, at most 4096
 * @param apiKey the key clients must send ({@code Authorization: Bearer KEY} or {@code X-Api-Key}), or null for none
 * @param corsOrigin the browser origin allowed to call the API ({@code *} for any), or null for no CORS headers
 * @param maxBodyBytes the largest request body accepted (413 above)
 */
public record ServerOptions(String host, int port, int parallel, int queueSize, int contextLength, String apiKey,
    String corsOrigin, int maxBodyBytes) {

  public ServerOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    check(port >= 0 && port <= 65535, "port must be in 0..65535, got " + port);
    check(parallel >= 1, "parallel must be at least 1, got " + parallel);
    check(queueSize >= 0, "queue size must be >= 0, got " + queueSize);
    check(contextLength >= 0, "context length must be >= 0, got " + contextLength);
    check(maxBodyBytes >= 1024, "max body size must be at least 1024 bytes, got " + maxBodyBytes);
    if (apiKey != null && apiKey.isBlank()) {
      throw new IllegalArgumentException("the API key must not be blank");
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** 127.0.0.1:8080, 4 slots, a queue of 64, the model's context (at most 4096), no key, no CORS, 4 MiB bodies. */
  public static ServerOptions defaults() {
    return new ServerOptions("127.0.0.1", 8080, 4, 64, 0, null, null, 4 << 20);
  }

  public ServerOptions withHost(String h) {
    return new ServerOptions(h, port, parallel, queueSize, contextLength, apiKey, corsOrigin, maxBodyBytes);
  }

  public ServerOptions withPort(int p) {
    return new ServerOptions(host, p, parallel, queueSize, contextLength, apiKey, corsOrigin, maxBodyBytes);
  }

  public ServerOptions withParallel(int n) {
    return new ServerOptions(host, port, n, queueSize, contextLength, apiKey, corsOrigin, maxBodyBytes);
  }

  public ServerOptions withQueueSize(int n) {
    return new ServerOptions(host, port, parallel, n, contextLength, apiKey, corsOrigin, maxBodyBytes);
  }

  public ServerOptions withContextLength(int n) {
    return new ServerOptions(host, port, parallel, queueSize, n, apiKey, corsOrigin, maxBodyBytes);
  }

  public ServerOptions withApiKey(String key) {
    return new ServerOptions(host, port, parallel, queueSize, contextLength, key, corsOrigin, maxBodyBytes);
  }

  public ServerOptions withCorsOrigin(String origin) {
    return new ServerOptions(host, port, parallel, queueSize, contextLength, apiKey, origin, maxBodyBytes);
  }

  public ServerOptions withMaxBodyBytes(int n) {
    return new ServerOptions(host, port, parallel, queueSize, contextLength, apiKey, corsOrigin, n);
  }
}
