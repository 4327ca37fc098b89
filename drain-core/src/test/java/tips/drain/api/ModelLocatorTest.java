package tips.drain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.DrainException;
import tips.drain.hub.HubCache;
import tips.drain.hub.HubModelSource;
import tips.drain.testing.TinyLlama;

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
  void ggufFilesResolveByPathAndByName() throws IOException {
    Path file = Files.createFile(dir.resolve("m.gguf"));
    assertEquals(file, ModelLocator.resolve(file.toString(), null, null));
    Path inPath = Files.createFile(Files.createDirectories(dir.resolve("p")).resolve("n.gguf"));
    assertEquals(inPath, ModelLocator.resolve("n.gguf", dir.toString(), dir.resolve("p").toString()));
    Files.createFile(dir.resolve("notes.txt"));
    assertThrows(DrainException.class, () -> ModelLocator.resolve(dir.resolve("notes.txt").toString(), null, null));
  }

  @Test
  void modelSourcesAreAskedLastAndSayWhereTheyLooked() {
    ModelSource cache = (name, tried) -> {
      tried.add("cache:" + name);
      return name.equals("org/model") ? java.util.Optional.of(dir) : java.util.Optional.empty();
    };
    assertEquals(dir, ModelLocator.resolve("org/model", null, null, java.util.List.of(cache)));
    DrainException e = assertThrows(DrainException.class,
        () -> ModelLocator.resolve("org/other", null, null, java.util.List.of(cache)));
    assertTrue(e.getMessage().contains("cache:org/other"), e.getMessage());
  }

  @Test
  void unknownNameListsWhereItLooked() {
    DrainException e = assertThrows(DrainException.class, () -> ModelLocator.resolve("nope", dir.toString(), "/x/y"));
    assertTrue(e.getMessage().contains("models") && e.getMessage().contains("/x/y/nope"), e.getMessage());
  }

  @Test
  void hubIdsResolveFromTheHubCacheWithoutNetwork() throws IOException {
    Path source = TinyLlama.small(1).write(dir.resolve("src"));
    Files.writeString(source.resolve("m.Q4_K_M.gguf"), "GGUF");
    Path cache = dir.resolve("hub");
    String main = "1".repeat(40);
    String old = "2".repeat(40);
    Path current = HubCacheFixture.write(cache, "acme/tiny", main, "main", source, "config.json", "model.safetensors");
    Path pinned = HubCacheFixture.write(cache, "acme/tiny", old, "v1", source, "config.json", "model.safetensors");
    Path gguf = HubCacheFixture.write(cache, "acme/tiny-GGUF", main, "main", source, "m.Q4_K_M.gguf");
    HubCache hub = new HubCache(cache);

    assertEquals(current, ModelLocator.resolve("acme/tiny", null, null, List.of(new HubModelSource(hub))));
    assertEquals(pinned, ModelLocator.resolve("acme/tiny@v1", null, null, List.of(new HubModelSource(hub))));
    assertEquals(pinned, ModelLocator.resolve("acme/tiny@" + old, null, null, List.of(new HubModelSource(hub))));
    assertEquals(gguf.resolve("m.Q4_K_M.gguf"), ModelLocator.resolve("acme/tiny-GGUF", null, null, List.of(new HubModelSource(hub))),
        "a GGUF repository resolves to its file");
    try (LanguageModel m = LanguageModel.load(ModelLocator.resolve("acme/tiny", null, null, List.of(new HubModelSource(hub))),
        LoadOptions.defaults().withThreads(1).withTokenizer(false))) {
      assertEquals(2, m.config().numLayers());
    }
    DrainException missing = assertThrows(DrainException.class, () -> ModelLocator.resolve("acme/other", null, null, List.of(new HubModelSource(hub))));
    assertTrue(missing.getMessage().contains("models--acme--other (drain pull acme/other downloads it)"),
        missing.getMessage());
    assertThrows(DrainException.class, () -> ModelLocator.resolve("acme/tiny@v2", null, null, List.of(new HubModelSource(hub))));
  }
}
