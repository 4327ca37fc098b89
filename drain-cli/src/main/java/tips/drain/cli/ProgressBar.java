package tips.drain.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongFunction;

/** A one-line progress bar on stderr: {@code quantizing [#########.........]  52%  1.1/2.2 GiB  3.1 s}. */
final class ProgressBar {
  private static final int WIDTH = 30;
  private final PrintWriter err;
  private final String label;
  private final long total;
  private final long start = System.nanoTime();
  private final LongFunction<String> format;
  private int lastPercent = -1;

  /** A bar counting bytes. */
  ProgressBar(PrintWriter err, String label, long total) {
    this(err, label, total, Table::bytes);
  }

  /** A bar counting what {@code format} names, e.g. {@code n -> n + " chunks"}. */
  ProgressBar(PrintWriter err, String label, long total, LongFunction<String> format) {
    this.err = err;
    this.label = label;
    this.total = Math.max(1, total);
    this.format = format;
  }

  void update(long done) {
    int percent = (int) (100 * done / total);
    if (percent == lastPercent) {
      return;
    }
    lastPercent = percent;
    int filled = percent * WIDTH / 100;
    err.printf(Locale.ROOT, "\r%s [%s%s] %3d%%  %s / %s  %.1f s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
        percent, format.apply(done), format.apply(total), (System.nanoTime() - start) / 1e9);
    err.flush();
  }

  void finish() {
    update(total);
    err.println();
  }
}
