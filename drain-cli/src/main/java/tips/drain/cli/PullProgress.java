package tips.drain.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import tips.drain.hub.PullListener;
import tips.drain.hub.RemoteFile;
import tips.drain.hub.RepoListing;

/**
 * The progress of {@code drain pull} on stderr. On a terminal one line redrawn in place per file, with the
 * file's bar and the pull's overall share:
 * {@code [2/5] model.safetensors [######......]  41%  0.9/2.2 GiB  38.2 MB/s | all  35%  1.2/3.4 GiB}.
 * Elsewhere (a log, a pipe) plain lines: each file's start, each quarter, its end.
 */
final class PullProgress implements PullListener {
  private static final int WIDTH = 24;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean terminal;
  private int files;
  private int index;
  private long total;
  private long finishedBytes;
  private long fileStart;
  private long fileOffset;
  private long lastDraw;
  private int lastQuarter;
  private int lastWidth;

  PullProgress(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public void started(RepoListing listing, List<RemoteFile> chosen, long totalBytes, long cachedBytes) {
    files = chosen.size();
    total = totalBytes;
    err.printf(Locale.ROOT, "pulling %s (commit %s): %d file(s), %s%s%n", listing.ref(), listing.commit().substring(0, 12),
        files, Table.bytes(totalBytes), cachedBytes > 0 ? ", " + Table.bytes(cachedBytes) + " already cached" : "");
    err.flush();
  }

  @Override
  public void fileStarted(String path, long size, long offset) {
    fileStart = System.nanoTime();
    fileOffset = offset;
    lastQuarter = 0;
    lastDraw = 0;
    if (!terminal) {
      err.printf(Locale.ROOT, "[%d/%d] %s: %s%s%n", index + 1, files, path, Table.bytes(size),
          offset > 0 ? ", resuming at " + Table.bytes(offset) : "");
      err.flush();
    }
  }

  @Override
  public void fileProgress(String path, long done, long size) {
    if (terminal) {
      long now = System.nanoTime();
      if (now - lastDraw >= REDRAW_NANOS || done == size) {
        lastDraw = now;
        draw(path, done, size);
      }
    } else if (size > 0) {
      int quarter = (int) (4 * done / size);
      if (quarter > lastQuarter && quarter < 4) {
        lastQuarter = quarter;
        err.printf(Locale.ROOT, "[%d/%d] %s: %d%%  %s%n", index + 1, files, path, 25 * quarter, rate(done));
        err.flush();
      }
    }
  }

  @Override
  public void verifying(String path, long size) {
    if (terminal) {
      clear();
      err.printf(Locale.ROOT, "\r[%d/%d] %s: checking the SHA of %s", index + 1, files, path, Table.bytes(size));
      lastWidth = 40 + path.length();
      err.flush();
    }
  }

  @Override
  public void fileFinished(String path, long size, boolean downloaded) {
    index++;
    finishedBytes += Math.max(0, size);
    if (terminal) {
      clear();
    }
    String how = downloaded ? "downloaded, " + rate(size) : "cached";
    err.printf(Locale.ROOT, "%s[%d/%d] %s: %s (%s)%n", terminal ? "\r" : "", index, files, path, Table.bytes(size), how);
    err.flush();
  }

  @Override
  public void retrying(String what, String why, int attempt, Duration wait) {
    if (terminal) {
      clear();
      err.print('\r');
    }
    err.printf(Locale.ROOT, "%s: %s; retry %d in %.1f s%n", what, why, attempt, wait.toMillis() / 1000.0);
    err.flush();
  }

  private void draw(String path, long done, long size) {
    int percent = size <= 0 ? 100 : (int) (100 * done / size);
    int filled = percent * WIDTH / 100;
    long all = finishedBytes + done;
    String line = String.format(Locale.ROOT, "[%d/%d] %s [%s%s] %3d%%  %s/%s  %s | all %3d%%  %s/%s", index + 1, files,
        path, "#".repeat(filled), ".".repeat(WIDTH - filled), percent, Table.bytes(done), Table.bytes(size), rate(done),
        total <= 0 ? 100 : (int) (100 * all / total), Table.bytes(all), Table.bytes(total));
    err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
    lastWidth = line.length();
    err.flush();
  }

  private void clear() {
    if (lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth));
      lastWidth = 0;
    }
  }

  private String rate(long done) {
    double seconds = (System.nanoTime() - fileStart) / 1e9;
    double mb = (done - fileOffset) / 1e6;
    return seconds <= 0 || mb < 0 ? "-" : String.format(Locale.ROOT, "%.1f MB/s", mb / seconds);
  }
}
