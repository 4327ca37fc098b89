package tips.drain.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tips.drain.hub.HubException.Reason;

/**
 * Downloads one blob into {@code blobs/ETAG.incomplete}, resuming from its length with {@code Range} (after a
 * broken connection, or an earlier run), starting over when the server ignores the range, then checks its size
 * and checksum and only then renames it to {@code blobs/ETAG}. A blob that fails its check is deleted.
 * The caller holds the blob's lock.
 */
final class BlobDownload {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final int BUFFER = 1 << 20;

  private final HubHttp http;
  private final PullListener listener;
  private final ToLongFunction<Path> usableSpace;

  BlobDownload(HubHttp http, PullListener listener, ToLongFunction<Path> usableSpace) {
    this.http = http;
    this.listener = listener;
    this.usableSpace = usableSpace;
  }

  /**
   * Brings {@code blob} into place from {@code meta.location()}; {@code path} names the file in messages. When
   * the location (a signed CDN address, which expires) refuses the download once, {@code relocate} asks the hub
   * for a fresh one.
   */
  void run(RepoRef ref, String path, FileMetadata meta, Supplier<URI> relocate, Path incomplete, Path blob) {
    URI location = meta.location();
    boolean relocated = false;
    long size = meta.size();
    long start = sizeOf(incomplete);
    if (start > size) {
      delete(incomplete);
      start = 0;
    }
    listener.fileStarted(path, size, start);
    int failures = 0;
    while (true) {
      long have = sizeOf(incomplete);
      if (have == size) {
        break;
      }
      String range = have > 0 ? "bytes=" + have + "-" : null;
      HttpResponse<InputStream> r = http.get(location, range, path);
      int status = r.statusCode();
      if ((status == 401 || status == 403 || status == 404 || status == 410) && !relocated && !http.isHub(location)) {
        close(r.body());
        location = relocate.get();
        relocated = true;
        continue;
      }
      boolean append;
      if (status == 206) {
        Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
        append = m.matches() && Long.parseLong(m.group(1)) == have;
        if (!append) {
          close(r.body());
          delete(incomplete);
          failures++;
          if (!http.backOff(path, "the server answered a different range than " + range, failures)) {
            throw new HubException(Reason.BAD_RESPONSE, path + ": the server keeps answering the wrong Range");
          }
          continue;
        }
      } else if (status == 200) {
        append = false;
      } else if (status == 416) {
        close(r.body());
        delete(incomplete);
        continue;
      } else {
        close(r.body());
        if (!http.isHub(location)) {
          Reason reason = status == 404 || status == 410 ? Reason.NOT_FOUND
              : status == 401 || status == 403 ? Reason.UNAUTHORIZED : Reason.BAD_RESPONSE;
          throw new HubException(reason, ref.repo() + "/" + path + ": " + location.getHost() + " refused the download"
              + " (HTTP " + status + ")" + (relocated ? ", also at the fresh address the hub gave" : ""));
        }
        throw http.failure(status, r.headers(), ref, path, ref.repo() + "/" + path);
      }
      if (!append) {
        listener.fileProgress(path, 0, size);
      }
      long before = append ? have : 0;
      long after;
      try {
        after = copy(r.body(), incomplete, append, before, size, path);
      } catch (IOException broken) {
        after = sizeOf(incomplete);
        failures = after > before ? 0 : failures;
        failures++;
        if (!http.backOff(path, "connection broken at byte " + after + " of " + size + ": " + HubHttp.describe(broken),
            failures)) {
          throw new HubException(Reason.NETWORK, path + ": the connection kept breaking (" + after + " of " + size
              + " bytes are kept in " + incomplete + "; run drain pull again to resume)", broken);
        }
        continue;
      }
      if (after < size) {
        failures++;
        if (!http.backOff(path, "the body ended at byte " + after + " of " + size, failures)) {
          throw new HubException(Reason.NETWORK, path + ": the server kept ending the file early (" + after + " of "
              + size + " bytes kept in " + incomplete + ")");
        }
      }
    }
    verify(path, meta, incomplete);
    try {
      HubCache.moveReplacing(incomplete, blob);
    } catch (IOException e) {
      throw new HubException(Reason.CACHE, blob + ": cannot move the finished download into place: " + e.getMessage(), e);
    }
  }

  /** Appends (or writes from the start) the body to {@code file}; returns the file's length; write errors are typed. */
  private long copy(InputStream in, Path file, boolean append, long offset, long size, String path) throws IOException {
    try (InputStream body = in;
         StallGuard guard = new StallGuard(in, http.stallLimit());
         FileChannel out = openForWrite(file, append)) {
      byte[] chunk = new byte[BUFFER];
      long done = offset;
      int n;
      while ((n = body.read(chunk)) > 0) {
        guard.progress();
        if (done + n > size) {
          throw new HubException(Reason.BAD_RESPONSE, path + ": the server sent more than the announced " + size + " bytes");
        }
        write(out, ByteBuffer.wrap(chunk, 0, n), file);
        done += n;
        listener.fileProgress(path, done, size);
      }
      if (guard.stalled()) {
        throw new IOException("no data for " + http.stallLimit().toSeconds() + " s");
      }
      return done;
    } catch (HubException e) {
      if (e.reason() == Reason.BAD_RESPONSE) {
        delete(file);
      }
      throw e;
    }
  }

  private FileChannel openForWrite(Path file, boolean append) {
    try {
      return append
          ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
          : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw writeFailure(file, e);
    }
  }

  private void write(FileChannel out, ByteBuffer data, Path file) {
    try {
      while (data.hasRemaining()) {
        out.write(data);
      }
    } catch (IOException e) {
      throw writeFailure(file, e);
    }
  }

  private HubException writeFailure(Path file, IOException e) {
    String m = HubHttp.describe(e);
    long free = usableSpace.applyAsLong(file.getParent());
    if (m.toLowerCase(Locale.ROOT).contains("no space") || m.toLowerCase(Locale.ROOT).contains("quota")
        || (free >= 0 && free < BUFFER)) {
      return new HubException(Reason.DISK_FULL, file + ": disk full (" + free + " bytes free); free some space and"
          + " run drain pull again: the download resumes where it stopped", e);
    }
    return new HubException(Reason.CACHE, file + ": cannot write: " + m, e);
  }

  private void verify(String path, FileMetadata meta, Path file) {
    long size = sizeOf(file);
    if (size != meta.size()) {
      delete(file);
      throw new HubException(Reason.CHECKSUM_MISMATCH, path + ": downloaded " + size + " bytes, the hub announced "
          + meta.size() + "; the download was deleted");
    }
    Checksums.Expected expected = Checksums.Expected.of(meta.etag());
    if (expected == null) {
      return;
    }
    listener.verifying(path, size);
    String actual;
    try {
      actual = Checksums.digest(file, expected.algorithm());
    } catch (IOException e) {
      throw new HubException(Reason.CACHE, file + ": cannot read back for the checksum: " + HubHttp.describe(e), e);
    }
    if (!actual.equals(expected.hex())) {
      delete(file);
      throw new HubException(Reason.CHECKSUM_MISMATCH, path + ": checksum mismatch: " + expected.algorithm() + " is "
          + actual + ", the hub announced " + expected.hex() + "; the download was deleted (run drain pull again;"
          + " if it repeats, the server or mirror sends a corrupted file)");
    }
  }

  static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new HubException(Reason.CACHE, file + ": cannot delete: " + HubHttp.describe(e), e);
    }
  }

  private static void close(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the connection is dropped either way
    }
  }
}
