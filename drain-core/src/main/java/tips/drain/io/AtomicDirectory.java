package tips.drain.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import tips.drain.DrainException;

/**
 * An output directory that appears all at once or not at all. Everything is written into a hidden folder beside
 * the target ({@code .NAME.partial-PID}); {@link #commit()} flushes it to disk and renames it into place. A
 * process killed at any moment leaves the previous output intact, or nothing: never a half-written directory,
 * never a mix of old and new files.
 *
 * <pre>{@code
 * try (AtomicDirectory out = AtomicDirectory.create(target, AtomicDirectory.Existing.REFUSE)) {
 *   write(out.path().resolve("model.safetensors"));   // write everything into out.path()
 *   out.commit();                                       // then it becomes target
 * }                                                     // not committed (an exception): the partial folder is deleted
 * }</pre>
 *
 * <p>A target that exists and is not empty is refused ({@link OutputExistsException}) unless
 * {@link Existing#REPLACE} is given; then the old directory is kept until the new one is complete and renamed
 * away (to {@code .NAME.old-PID}) only for the moment of the swap. Folders a killed process left behind are
 * tidied when the next {@link #create} for the same target runs: a partial one is deleted, an old one is renamed
 * back when the target is missing (the swap was interrupted) or deleted when the new output is in place. Two
 * processes writing the same target at the same time are not supported.
 */
public final class AtomicDirectory implements AutoCloseable {
  /** What to do when the target exists and is not empty. */
  public enum Existing {
    /** Refuse with {@link OutputExistsException} before any work is done. */
    REFUSE,
    /** Replace it atomically when the new output is complete. */
    REPLACE
  }

  /** The target exists and is not empty, and replacing it was not asked for. */
  public static final class OutputExistsException extends DrainException {
    OutputExistsException(String message) {
      super(message);
    }
  }

  private static final String PARTIAL = ".partial-";
  private static final String OLD = ".old-";

  private final Path target;
  private final Path partial;
  private final Existing existing;
  private boolean committed;
  private boolean closed;

  private AtomicDirectory(Path target, Path partial, Existing existing) {
    this.target = target;
    this.partial = partial;
    this.existing = existing;
  }

  /**
   * Prepares to write {@code target}: tidies what an interrupted earlier run left, checks the target (refused
   * now, before any work, when it exists and is not empty, unless {@code existing} is REPLACE), and creates the
   * empty partial folder beside it (its parent folders are created).
   *
   * @throws OutputExistsException if the target is not empty and {@code existing} is REFUSE
   * @throws DrainException if the folder cannot be created
   */
  public static AtomicDirectory create(Path target, Existing existing) {
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    if (parent == null || absolute.getFileName() == null) {
      throw new DrainException(target + ": cannot write a model into the root of the file system");
    }
    try {
      Files.createDirectories(parent);
      recover(absolute);
      if (existing == Existing.REFUSE && !isEmptyOrMissing(absolute)) {
        throw new OutputExistsException(target + ": exists and is not empty");
      }
      Path partial = sibling(absolute, PARTIAL + ProcessHandle.current().pid());
      deleteTree(partial);
      Files.createDirectory(partial);
      return new AtomicDirectory(absolute, partial, existing);
    } catch (IOException e) {
      throw new DrainException(target + ": cannot create: " + describe(e), e);
    }
  }

  /**
   * Puts right what a process killed while writing {@code target} left beside it (see the class comment).
   * {@link #create} calls it; call it yourself only to repair a target without writing it.
   */
  public static void recover(Path target) {
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return;
    }
    String prefix = "." + absolute.getFileName();
    List<Path> partials = new ArrayList<>();
    List<Path> olds = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(parent, prefix + "*")) {
      for (Path p : s) {
        String rest = p.getFileName().toString().substring(prefix.length());
        if (rest.startsWith(PARTIAL) && ownerGone(rest.substring(PARTIAL.length()))) {
          partials.add(p);
        } else if (rest.startsWith(OLD) && ownerGone(rest.substring(OLD.length()))) {
          olds.add(p);
        }
      }
      for (Path p : partials) {
        deleteTree(p);
      }
      for (Path old : olds) {
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
          deleteTree(old);
        } else {
          Files.move(old, absolute, StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } catch (IOException e) {
      throw new DrainException(target + ": cannot tidy an interrupted earlier write: " + describe(e), e);
    }
  }

  /** The folder to write into. */
  public Path path() {
    return partial;
  }

  /** The directory this becomes. */
  public Path target() {
    return target;
  }

  /**
   * Flushes every file written to disk and renames the folder into place, replacing the old target when
   * REPLACE was given (the old one is deleted after the swap).
   *
   * @throws OutputExistsException if the target was filled by someone else meanwhile and REFUSE was given
   */
  public void commit() {
    if (committed || closed) {
      throw new IllegalStateException("already " + (committed ? "committed" : "closed"));
    }
    try {
      syncTree(partial);
      if (isEmptyOrMissing(target)) {
        // rename(2) replaces an empty directory atomically
        moveAtomically(partial, target);
      } else if (existing == Existing.REFUSE) {
        throw new OutputExistsException(target + ": exists and is not empty");
      } else {
        Path old = sibling(target, OLD + ProcessHandle.current().pid());
        deleteTree(old);
        moveAtomically(target, old);
        moveAtomically(partial, target);
        deleteTree(old);
      }
      sync(target.getParent(), true);
      committed = true;
    } catch (IOException e) {
      throw new DrainException(target + ": cannot move the finished output into place: " + describe(e), e);
    }
  }

  /** Deletes the partial folder unless {@link #commit()} succeeded. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!committed) {
      try {
        deleteTree(partial);
      } catch (IOException e) {
        throw new DrainException(partial + ": cannot delete the unfinished output: " + describe(e), e);
      }
    }
  }

  private static Path sibling(Path target, String suffix) {
    return target.resolveSibling("." + target.getFileName() + suffix);
  }

  /** True when the pid that named a folder is no longer running (or the name holds no pid). */
  private static boolean ownerGone(String pid) {
    try {
      long id = Long.parseLong(pid);
      return id == ProcessHandle.current().pid() || ProcessHandle.of(id).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean isEmptyOrMissing(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return true;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      return !s.iterator().hasNext();
    }
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system cannot rename " + from + " to " + to + " atomically", e);
    }
  }

  private static void syncTree(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile()) {
          sync(file, false);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        sync(d, true);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void sync(Path path, boolean directory) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      if (!directory) {
        throw e; // some file systems cannot open or sync a directory; files must be synced
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static String describe(IOException e) {
    if (e instanceof AccessDeniedException a) {
      return a.getFile() + ": permission denied";
    }
    if (e instanceof NoSuchFileException n) {
      return n.getFile() + ": no such file or folder";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getFile() + ": " + f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
