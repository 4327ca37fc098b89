package tips.drain.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared reference data lives: {@code $DRAIN_TESTDATA}, else {@code $DRAIN_TESTDATA_DEFAULT} (set
 * by the build to {@code ../shared} beside the repository). A missing directory fails the test: conformance
 * tests never skip.
 */
public final class TestData {
  private TestData() {}

  public static Path root() {
    String dir = System.getenv("DRAIN_TESTDATA");
    if (dir == null || dir.isBlank()) {
      dir = System.getenv("DRAIN_TESTDATA_DEFAULT");
    }
    if (dir == null || dir.isBlank()) {
      throw new IllegalStateException("DRAIN_TESTDATA is not set: point it at the shared test data (../shared)");
    }
    Path root = Path.of(dir);
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException("DRAIN_TESTDATA=" + dir + " is not a directory: the conformance tests need the "
          + "shared test data");
    }
    return root;
  }

  /** {@code root()/models/NAME}, which must exist. */
  public static Path model(String name) {
    Path p = root().resolve("models").resolve(name);
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException(p + " is missing from the shared test data");
    }
    return p;
  }
}
