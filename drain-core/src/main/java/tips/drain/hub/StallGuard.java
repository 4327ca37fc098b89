package tips.drain.hub;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a download's body when no data arrived for a while, so that a connection that stalls without closing
 * ends the read (which is then retried with Range) instead of hanging the pull; {@code java.net.http} has no
 * read timeout for bodies.
 */
final class StallGuard implements AutoCloseable {
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "drain-hub-stall-guard");
    t.setDaemon(true);
    return t;
  });

  private final InputStream body;
  private final long limitNanos;
  private final ScheduledFuture<?> check;
  private volatile long last = System.nanoTime();
  private volatile boolean stalled;

  StallGuard(InputStream body, Duration limit) {
    this.body = body;
    this.limitNanos = limit.toNanos();
    long period = Math.max(10, limit.toMillis() / 4);
    this.check = TIMER.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  void progress() {
    last = System.nanoTime();
  }

  boolean stalled() {
    return stalled;
  }

  private void check() {
    if (!stalled && System.nanoTime() - last > limitNanos) {
      stalled = true;
      try {
        body.close();
      } catch (IOException ignored) {
        // the reader sees the end of the stream either way
      }
    }
  }

  @Override
  public void close() {
    check.cancel(false);
  }
}
