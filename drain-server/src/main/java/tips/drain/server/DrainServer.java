package tips.drain.server;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import tips.drain.DrainException;
import tips.drain.api.SessionOptions;

/**
 * An OpenAI-compatible HTTP server over one model and its LoRA adapters: {@code /v1/chat/completions},
 * {@code /v1/completions}, {@code /v1/models}, {@code /health}, {@code /tokenize}, {@code /detokenize} and
 * {@code /metrics}. Embeddable:
 *
 * <pre>{@code
 * try (DrainServer server = DrainServer.start(ModelSource.load(Path.of("models/qwen3-0.6b"), LoadOptions.defaults()),
 *     ServerOptions.defaults().withPort(8080))) {
 *   server.awaitReady(Duration.ofMinutes(5));
 *   ...                                    // http://127.0.0.1:8080/v1
 * }
 * }</pre>
 *
 * <p>It listens at once and loads the model in the background ({@code /health} answers 503 until it is ready).
 * Each request runs on a virtual thread; generation runs in {@link ServerOptions#parallel()} slots with a bounded
 * queue in front of them.
 */
public final class DrainServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DrainServer.class.getName());

  private final ServerOptions options;
  private final HttpServer http;
  private final ExecutorService executor;
  private final Routes routes;
  private final CountDownLatch settled = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile ServedModel served;
  private volatile Throwable loadFailure;

  private DrainServer(ServerOptions options, HttpServer http, ExecutorService executor) {
    this.options = options;
    this.http = http;
    this.executor = executor;
    this.routes = new Routes(options);
  }

  /**
   * Binds {@code options.host():options.port()}, starts answering, and loads the model in the background.
   *
   * @throws DrainException when the address cannot be bound (in use, not local)
   */
  public static DrainServer start(ModelSource source, ServerOptions options) {
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
    } catch (IOException e) {
      throw new DrainException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    }
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    DrainServer server = new DrainServer(options, http, executor);
    http.createContext("/", server.routes::handle);
    http.setExecutor(executor);
    http.start();
    Thread.ofPlatform().name("drain-server-load").daemon(true).start(() -> server.load(source));
    return server;
  }

  private void load(ModelSource source) {
    try {
      // the engine batches the slots' sessions: give it a slot per server slot, and a queue for what waits
      ModelSource sized = source.withLoadOptions(source.loadOptions().withEngine(source.loadOptions().engine()
          .withSlots(options.parallel()).withQueue(Math.max(source.loadOptions().engine().queue(),
              options.parallel()))));
      ServedModel model = ServedModel.open(sized);
      int context = options.contextLength() > 0 ? options.contextLength()
          : Math.min(model.model().config().contextLength(), SessionOptions.DEFAULT_MAX_CONTEXT);
      routes.ready(model, new SlotPool(model.model(), options.parallel(), options.queueSize(), context));
      served = model;
    } catch (Throwable e) {
      loadFailure = e;
      routes.failed(e);
      LOG.log(System.Logger.Level.ERROR, "drain serve: the model failed to load: " + e.getMessage());
    } finally {
      settled.countDown();
    }
  }

  /**
   * Waits until the model is loaded.
   *
   * @throws DrainException when it failed to load (its message), or did not load within {@code timeout}
   */
  public DrainServer awaitReady(Duration timeout) throws InterruptedException {
    if (!settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new DrainException("the model did not load within " + timeout.toSeconds() + " s");
    }
    if (loadFailure != null) {
      throw loadFailure instanceof DrainException d ? d : new DrainException("the model failed to load: " + loadFailure,
          loadFailure);
    }
    return this;
  }

  /** True once the model is loaded and requests are served. */
  public boolean isReady() {
    return served != null;
  }

  /** The port it listens on (the chosen one when {@link ServerOptions#port()} was 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** E.g. {@code http://127.0.0.1:8080}. */
  public String baseUrl() {
    String host = http.getAddress().getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  /** The names clients can ask for (the model's, then each adapter's); empty while loading. */
  public List<String> modelNames() {
    ServedModel s = served;
    return s == null ? List.of() : s.names();
  }

  /**
   * Stops: refuses new requests (503), lets running and queued ones finish for up to {@code grace}, then cancels
   * what still runs, closes the listener and the model (when the server loaded it). Idempotent.
   */
  public void stop(Duration grace) {
    if (!routes.beginStop()) {
      awaitStopped();
      return;
    }
    try {
      long deadline = System.nanoTime() + grace.toNanos();
      while (routes.inFlight() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      if (routes.inFlight() > 0) {
        routes.cancelAll();
        long cancelDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (routes.inFlight() > 0 && System.nanoTime() < cancelDeadline) {
          Thread.sleep(20);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      http.stop(0);
      executor.shutdownNow();
      try {
        settled.await(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ServedModel s = served;
      if (s != null && routes.inFlight() == 0) {
        s.close();
      }
      stopped.countDown();
    }
  }

  /** Blocks until {@link #stop} has finished. */
  public void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@link #stop} with a grace of 10 seconds. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }
}
