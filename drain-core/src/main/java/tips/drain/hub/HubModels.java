package tips.drain.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import tips.drain.DrainException;

/** What {@code --model ORG/NAME} loads from a cached snapshot. */
public final class HubModels {
  private HubModels() {}

  /**
   * The snapshot folder when it holds a Hugging Face model ({@code config.json}); else its GGUF file (the first
   * split file of a split model) when it holds GGUF files of one quantization.
   */
  public static Path entryPoint(RepoRef ref, Path snapshot) {
    if (Files.exists(snapshot.resolve("config.json"))) {
      return snapshot;
    }
    List<Path> gguf = ggufFiles(snapshot);
    if (gguf.isEmpty()) {
      return snapshot;
    }
    Set<String> quants = new TreeSet<>();
    gguf.forEach(p -> quants.add(FileSelection.quantOf(snapshot.relativize(p).toString())));
    if (quants.size() > 1) {
      throw new DrainException(ref + ": the cached snapshot " + snapshot + " holds GGUF files of several quantizations ("
          + String.join(", ", quants) + "); pass the file itself with --model " + gguf.getFirst());
    }
    return gguf.getFirst();
  }

  /** The model GGUF files below {@code dir} (projector files {@code mmproj*} left out), sorted. */
  public static List<Path> ggufFiles(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".gguf") && !name.startsWith("mmproj") && Files.isRegularFile(p);
      }).sorted().toList();
    } catch (IOException e) {
      throw new HubException(HubException.Reason.CACHE, dir + ": cannot list: " + e.getMessage(), e);
    }
  }
}
