package tips.drain.hub;

import java.time.Duration;
import java.util.List;

/** What a pull reports while it runs (all methods optional; called from the pulling thread). */
public interface PullListener {
  PullListener NONE = new PullListener() {};

  /** The files chosen, their total size and how much of it is in the cache already. */
  default void started(RepoListing listing, List<RemoteFile> files, long totalBytes, long cachedBytes) {}

  /** A file's download begins ({@code offset} &gt; 0: resumed from an earlier, interrupted one). */
  default void fileStarted(String path, long size, long offset) {}

  /** {@code done} of the file's {@code size} bytes are on disk (goes back to 0 when a server ignores Range). */
  default void fileProgress(String path, long done, long size) {}

  /** The file's checksum is being computed. */
  default void verifying(String path, long size) {}

  /** The file is in place ({@code downloaded}: false when it was in the cache already). */
  default void fileFinished(String path, long size, boolean downloaded) {}

  /** A request failed with a cause worth retrying; the next attempt follows after {@code wait}. */
  default void retrying(String what, String why, int attempt, Duration wait) {}
}
