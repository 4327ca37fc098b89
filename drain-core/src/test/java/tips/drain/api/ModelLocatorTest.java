package tips.drain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.DrainException;

class ModelLocatorTest {
  @TempDir Path dir;

  @Test
  void directoryPathIsTakenAsIs() {
    assertEquals(dir, ModelLocator.resolve(dir.toString(), null, null));
  }

  @Test
  void nameResolvesInModelsThenInModelPath() throws IOException {
    Path home = Files.createDirectories(dir.resolve("home"));
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b/tiny"));
    String path = a + File.pathSeparator + dir.resolve("b");
    assertEquals(b, ModelLocator.resolve("tiny", home.toString(), path));
    Path local = Files.createDirectories(home.resolve("models/tiny"));
    assertEquals(local, ModelLocator.resolve("tiny", home.toString(), path), "models/ comes first");
  }

  @Test
  void relativeModelPathFoldersAreTakenFromDrainHomeNotTheWorkingDirectory() throws IOException {
    Path home = Files.createDirectories(dir.resolve("repo"));
    Path shared = Files.createDirectories(dir.resolve("shared/models/tiny"));
    assertEquals(shared.normalize(), ModelLocator.resolve("tiny", home.toString(), "../shared/models").normalize());
    assertThrows(DrainException.class, () -> ModelLocator.resolve("tiny", null, "../no-such-folder-here"));
  }

  @Test
  void unknownNameListsWhereItLooked() {
    DrainException e = assertThrows(DrainException.class, () -> ModelLocator.resolve("nope", dir.toString(), "/x/y"));
    assertTrue(e.getMessage().contains("models") && e.getMessage().contains("/x/y/nope"), e.getMessage());
  }
}
