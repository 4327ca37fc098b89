package tips.drain.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Vector API is incubating: only classes in a package named {@code *.panama} (loaded reflectively)
 * may use it, so the rest of DRAIN runs without {@code --add-modules jdk.incubator.vector}. Scans the
 * main sources of every module.
 */
class IncubatorIsolationTest {
  /** An import of, or a qualified reference to, a type of the module (the module's name in a string is fine). */
  private static final Pattern VECTOR_API_USE = Pattern.compile("jdk\\.incubator\\.vector\\.(\\*|[A-Z])");

  @Test
  void onlyPanamaPackagesUseTheVectorApi() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent(); // surefire runs in drain-core/
    List<Path> sourceRoots = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).forEach(sourceRoots::add);
    }
    assertTrue(sourceRoots.contains(root.resolve("drain-core/src/main/java")), "did not find drain-core in " + root);
    List<String> offenders = new ArrayList<>();
    int panamaFiles = 0;
    for (Path src : sourceRoots) {
      try (Stream<Path> files = Files.walk(src)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          String text = read(file);
          boolean usesVectorApi = VECTOR_API_USE.matcher(text).find();
          boolean inPanama = file.getParent().getFileName().toString().equals("panama");
          if (usesVectorApi && !inPanama) {
            offenders.add(root.relativize(file).toString());
          }
          if (usesVectorApi && inPanama) {
            panamaFiles++;
          }
        }
      }
    }
    assertEquals(List.of(), offenders, "jdk.incubator.vector used outside a *.panama package");
    assertTrue(panamaFiles > 0, "the scan found no panama kernels at all: is it looking in the right place?");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
