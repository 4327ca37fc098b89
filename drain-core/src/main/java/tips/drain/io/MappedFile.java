package tips.drain.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens a file read-only for a reader that maps it into a new shared arena: I/O errors become one-line
 * {@link FormatException}s naming the file, and the arena is closed when the reader fails.
 */
final class MappedFile {
  private MappedFile() {}

  /** Reads the open {@code channel}, mapping what it keeps into {@code arena} (which it then owns). */
  @FunctionalInterface
  interface Reader<T> {
    T read(FileChannel channel, Arena arena) throws IOException;
  }

  static <T> T open(Path path, Reader<T> reader) {
    Arena arena = Arena.ofShared();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      return reader.read(channel, arena);
    } catch (NoSuchFileException e) {
      arena.close();
      throw new FormatException(path + ": no such file");
    } catch (IOException e) {
      arena.close();
      throw new FormatException(path + ": cannot read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }
}
