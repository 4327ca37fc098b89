package tips.drain.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a repository into a hub cache the way huggingface_hub does: blobs, relative snapshot symlinks, refs. */
final class HubCacheFixture {
  private HubCacheFixture() {}

  /** Copies {@code files} (paths relative to {@code source}) into {@code cache} as {@code repo} at {@code commit}. */
  static Path write(Path cache, String repo, String commit, String ref, Path source, String... files) throws IOException {
    Path repoDir = cache.resolve("models--" + repo.replace("/", "--"));
    Path snapshot = repoDir.resolve("snapshots").resolve(commit);
    int i = 0;
    for (String file : files) {
      Path blob = Files.createDirectories(repoDir.resolve("blobs")).resolve("blob" + commit.substring(0, 6) + i++);
      Files.copy(source.resolve(file), blob);
      Path pointer = snapshot.resolve(file);
      Files.createDirectories(pointer.getParent());
      Files.createSymbolicLink(pointer, pointer.getParent().relativize(blob));
    }
    if (ref != null) {
      Files.createDirectories(repoDir.resolve("refs"));
      Files.writeString(repoDir.resolve("refs").resolve(ref), commit);
    }
    return snapshot;
  }
}
