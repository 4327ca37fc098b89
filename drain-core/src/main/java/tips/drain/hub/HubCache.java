package tips.drain.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The huggingface_hub cache layout, shared with Python tools both ways:
 *
 * <pre>
 * ROOT/models--ORG--NAME/blobs/ETAG                  file contents, named by their ETag (sha256 for LFS, git sha1 else)
 *                        blobs/ETAG.incomplete       a download in progress (resumed from its length)
 *                        snapshots/COMMIT/FILE       relative symlinks to ../../blobs/ETAG
 *                        refs/REVISION               the commit hash a branch or tag pointed to
 * ROOT/.locks/models--ORG--NAME/ETAG.lock            held while a blob is downloaded
 * </pre>
 */
public final class HubCache {
  private final Path root;

  public HubCache(Path root) {
    this.root = root;
  }

  /** The cache the environment names ({@code HF_HUB_CACHE}, {@code HF_HOME}...); nothing else of it is read. */
  public static HubCache fromEnvironment() {
    return new HubCache(HubSettings.cacheDirectory(System.getenv(), Path.of(System.getProperty("user.home"))));
  }

  public Path root() {
    return root;
  }

  public Path repoDirectory(String repo) {
    return root.resolve(RepoRef.folderName(repo));
  }

  Path blob(String repo, String etag) {
    return repoDirectory(repo).resolve("blobs").resolve(etag);
  }

  Path incomplete(String repo, String etag) {
    return repoDirectory(repo).resolve("blobs").resolve(etag + ".incomplete");
  }

  Path lockFile(String repo, String etag) {
    return root.resolve(".locks").resolve(RepoRef.folderName(repo)).resolve(etag + ".lock");
  }

  public Path snapshotDirectory(String repo, String commit) {
    return repoDirectory(repo).resolve("snapshots").resolve(commit);
  }

  Path pointer(String repo, String commit, String file) {
    return snapshotDirectory(repo, commit).resolve(file);
  }

  private Path refFile(String repo, String revision) {
    return repoDirectory(repo).resolve("refs").resolve(revision);
  }

  /** The commit a revision stands for in the cache: a commit hash with a snapshot, or what {@code refs/REVISION} holds. */
  public Optional<String> commitOf(RepoRef ref) {
    if (RepoRef.isCommitHash(ref.revision())) {
      return Files.isDirectory(snapshotDirectory(ref.repo(), ref.revision())) ? Optional.of(ref.revision()) : Optional.empty();
    }
    Path file = refFile(ref.repo(), ref.revision());
    try {
      String commit = Files.readString(file, StandardCharsets.UTF_8).strip();
      return RepoRef.isCommitHash(commit) ? Optional.of(commit) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The snapshot folder of {@code ref} if the cache holds it; no network. */
  public Optional<Path> snapshot(RepoRef ref) {
    return commitOf(ref).map(c -> snapshotDirectory(ref.repo(), c)).filter(Files::isDirectory);
  }

  /** Records that {@code revision} points at {@code commit} (atomically; nothing for a commit hash). */
  void writeRef(String repo, String revision, String commit) {
    if (revision.equals(commit)) {
      return;
    }
    Path file = refFile(repo, revision);
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
      Files.writeString(tmp, commit, StandardCharsets.UTF_8);
      moveReplacing(tmp, file);
    } catch (IOException e) {
      throw new HubException(HubException.Reason.CACHE, file + ": cannot write the ref: " + e.getMessage(), e);
    }
  }

  /**
   * Points {@code snapshots/COMMIT/FILE} at the blob with a relative symlink (replacing any earlier link
   * atomically), or copies the blob where the file system has no symlinks.
   */
  void link(String repo, String commit, String file, String etag) {
    Path pointer = pointer(repo, commit, file);
    Path blob = blob(repo, etag);
    Path tmp = pointer.resolveSibling("." + pointer.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createDirectories(pointer.getParent());
      try {
        Files.createSymbolicLink(tmp, pointer.getParent().relativize(blob));
      } catch (UnsupportedOperationException | IOException noSymlinks) {
        Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      moveReplacing(tmp, pointer);
    } catch (IOException e) {
      throw new HubException(HubException.Reason.CACHE, pointer + ": cannot link the snapshot file to " + blob + ": "
          + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: a stray temporary link is harmless
      }
    }
  }

  static void moveReplacing(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** A cached repository: its refs (revision → commit) and the commits it has snapshots of. */
  public record CachedRepo(String repo, Path directory, Map<String, String> refs, List<String> snapshots) {}

  /** Every model repository in the cache (none when the cache does not exist). */
  public List<CachedRepo> repos() {
    List<CachedRepo> repos = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return repos;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.sorted().toList()) {
        String name = dir.getFileName().toString();
        if (!name.startsWith("models--") || !Files.isDirectory(dir)) {
          continue;
        }
        String repo = name.substring("models--".length()).replaceFirst("--", "/");
        repos.add(new CachedRepo(repo, dir, refs(dir.resolve("refs")), children(dir.resolve("snapshots"))));
      }
    } catch (IOException e) {
      throw new HubException(HubException.Reason.CACHE, root + ": cannot list the hub cache: " + e.getMessage(), e);
    }
    return repos;
  }

  private static Map<String, String> refs(Path refsDir) throws IOException {
    Map<String, String> refs = new TreeMap<>();
    if (!Files.isDirectory(refsDir)) {
      return refs;
    }
    try (Stream<Path> files = Files.walk(refsDir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String commit = Files.readString(f, StandardCharsets.UTF_8).strip();
        if (RepoRef.isCommitHash(commit)) {
          refs.put(refsDir.relativize(f).toString().replace('\\', '/'), commit);
        }
      }
    }
    return refs;
  }

  private static List<String> children(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException e) {
      throw new HubException(HubException.Reason.CACHE, dir + ": exists and is not a directory", e);
    } catch (IOException e) {
      throw new HubException(HubException.Reason.CACHE, dir + ": cannot create the cache folder: " + e.getMessage(), e);
    }
  }
}
