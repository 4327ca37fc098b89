package tips.drain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.hub.HubCache;
import tips.drain.testing.TinyLlama;

class LocalModelsTest {
  @TempDir Path dir;

  @Test
  void listsModelsFolderModelPathAndHubCache() throws IOException {
    Path home = dir.resolve("home");
    Path tiny = TinyLlama.small(2).write(home.resolve("models/tiny"));
    Files.createDirectories(home.resolve("models/empty-folder"));
    Path path = Files.createDirectories(dir.resolve("path"));
    Files.write(path.resolve("llama.Q4_K_M.gguf"), new byte[123]);
    Path cache = dir.resolve("hub");
    String commit = "3".repeat(40);
    String unnamed = "4".repeat(40);
    HubCacheFixture.write(cache, "acme/tiny", commit, "main", tiny, "config.json", "model.safetensors");
    Files.writeString(cache.resolve("models--acme--tiny/refs/v1"), commit);
    HubCacheFixture.write(cache, "acme/tiny", unnamed, null, tiny, "config.json");
    Path source = Files.createDirectories(dir.resolve("gguf"));
    Files.write(source.resolve("m-Q8_0.gguf"), new byte[50]);
    Files.write(source.resolve("m-Q4_K_M.gguf"), new byte[30]);
    HubCacheFixture.write(cache, "acme/tiny-GGUF", commit, "main", source, "m-Q8_0.gguf", "m-Q4_K_M.gguf");

    long tinySize = Files.size(tiny.resolve("config.json")) + Files.size(tiny.resolve("model.safetensors"));
    List<String> rows = LocalModels.find(home.toString(), path.toString(), new HubCache(cache)).stream()
        .map(m -> String.join(" | ", m.name(), m.source(), m.format(), m.quantization(), String.valueOf(m.bytes())))
        .toList();
    assertEquals(List.of(
        "tiny | models/ | safetensors | F32 | " + tinySize,
        "llama.Q4_K_M.gguf | " + path + " | gguf | Q4_K_M | 123",
        "acme/tiny | hub cache | safetensors | F32 | " + tinySize,
        "acme/tiny-GGUF (m-Q4_K_M.gguf) | hub cache | gguf | Q4_K_M | 30",
        "acme/tiny-GGUF (m-Q8_0.gguf) | hub cache | gguf | Q8_0 | 50"), rows, "a snapshot without weights is no model");
  }
}
