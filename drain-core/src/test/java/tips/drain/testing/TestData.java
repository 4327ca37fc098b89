package tips.drain.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared test data ({@code ../shared}: models, tokenizers, golden files) lives: env
 * {@code DRAIN_TESTDATA} (a relative path is taken from the repository root), else {@code DRAIN_TESTDATA_DEFAULT}
 * (set by the pom). A missing directory fails the
 * test that asks for it; it is never a reason to skip.
 */
public final class TestData {
  private TestData() {}

  /** The shared data directory. */
  public static Path root() {
    String dir = System.getenv("DRAIN_TESTDATA");
    String source = "DRAIN_TESTDATA";
    if (dir == null || dir.isBlank()) {
      dir = System.getenv("DRAIN_TESTDATA_DEFAULT");
      source = "DRAIN_TESTDATA_DEFAULT";
    }
    if (dir == null || dir.isBlank()) {
      throw new IllegalStateException("shared test data not configured: set DRAIN_TESTDATA to the ../shared "
          + "directory (the Maven build sets DRAIN_TESTDATA_DEFAULT)");
    }
    Path root = Path.of(dir);
    String projectRoot = System.getProperty("drain.projectRoot");
    if (!root.isAbsolute() && projectRoot != null && !projectRoot.isBlank()) {
      // the README's `DRAIN_TESTDATA=../shared ./mvnw verify` means ../shared from the repository root, while
      // each module's tests run in the module's directory
      root = Path.of(projectRoot).resolve(root);
    }
    root = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException("shared test data directory " + root + " (from " + source + ") does not exist");
    }
    return root;
  }

  /** A path under the shared data directory, which must exist. */
  public static Path path(String relative) {
    Path p = root().resolve(relative);
    if (!Files.exists(p)) {
      throw new IllegalStateException("shared test data " + p + " does not exist");
    }
    return p;
  }

  /** {@code root()/models/NAME}, which must exist. */
  public static Path model(String name) {
    return path("models/" + name);
  }
}
