package tips.drain.hub;

import java.nio.file.Path;
import java.util.List;

/**
 * A finished pull: the snapshot folder ({@code snapshots/COMMIT}) now holding {@code files}, their total size and
 * how many bytes were downloaded (the rest came from the cache).
 */
public record PullResult(RepoRef ref, String commit, Path snapshot, List<String> files, long bytes, long downloaded) {
  public PullResult {
    files = List.copyOf(files);
  }
}
