package tips.drain.api;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import tips.drain.DrainException;
import tips.drain.hub.FileSelection;
import tips.drain.hub.HubCache;
import tips.drain.hub.HubModels;
import tips.drain.io.SafetensorsFile;
import tips.drain.io.TensorInfo;

/**
 * Every model {@link ModelLocator} can find: the folders (and {@code .gguf} files) in {@code models/} and in the
 * {@code DRAIN_MODEL_PATH} folders, and each revision of each repository in the Hugging Face cache.
 */
public final class LocalModels {
  private static final String DRAIN_QUANTIZATION_KEY = "drain.quantization";

  private LocalModels() {}

  public static List<LocalModel> find() {
    return find(System.getenv("DRAIN_HOME"), System.getenv("DRAIN_MODEL_PATH"), HubCache.fromEnvironment());
  }

  static List<LocalModel> find(String drainHome, String modelPath, HubCache hub) {
    List<LocalModel> models = new ArrayList<>();
    Path home = drainHome == null || drainHome.isBlank() ? Path.of("") : Path.of(drainHome);
    scanFolder(home.resolve("models"), "models/", models);
    if (modelPath != null) {
      for (String folder : modelPath.split(File.pathSeparator)) {
        if (!folder.isBlank()) {
          scanFolder(Path.of(folder), folder, models);
        }
      }
    }
    for (HubCache.CachedRepo repo : hub.repos()) {
      Map<String, String> names = new TreeMap<>();
      repo.refs().forEach((revision, commit) -> names.merge(commit,
          revision.equals("main") ? repo.repo() : repo.repo() + "@" + revision, (a, b) -> a.contains("@") ? b : a));
      for (String commit : repo.snapshots()) {
        String name = names.getOrDefault(commit, repo.repo() + "@" + commit);
        describe(name, "hub cache", hub.snapshotDirectory(repo.repo(), commit), models);
      }
    }
    return models;
  }

  private static void scanFolder(Path folder, String source, List<LocalModel> into) {
    if (!Files.isDirectory(folder)) {
      return;
    }
    try (Stream<Path> s = Files.list(folder)) {
      for (Path p : s.sorted(Comparator.comparing(Path::toString)).toList()) {
        String name = p.getFileName().toString();
        if (Files.isDirectory(p)) {
          describe(name, source, p, into);
        } else if (name.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
          into.add(new LocalModel(name, source, "gguf", FileSelection.quantOf(name), size(p), p));
        }
      }
    } catch (IOException e) {
      throw new DrainException(folder + ": cannot list: " + e.getMessage(), e);
    }
  }

  /** Adds the model in {@code dir} (one row per quantization for GGUF files), if there is one. */
  private static void describe(String name, String source, Path dir, List<LocalModel> into) {
    List<Path> safetensors = safetensorsFiles(dir);
    if (Files.exists(dir.resolve("config.json")) && !safetensors.isEmpty()) {
      into.add(new LocalModel(name, source, "safetensors", weightType(safetensors.getFirst()), folderSize(dir), dir));
      return;
    }
    Map<String, List<Path>> byQuant = new TreeMap<>();
    for (Path f : HubModels.ggufFiles(dir)) {
      byQuant.computeIfAbsent(FileSelection.quantOf(dir.relativize(f).toString()), q -> new ArrayList<>()).add(f);
    }
    byQuant.forEach((quant, files) -> into.add(new LocalModel(
        byQuant.size() > 1 ? name + " (" + dir.relativize(files.getFirst()) + ")" : name, source, "gguf", quant,
        files.stream().mapToLong(LocalModels::size).sum(), files.getFirst())));
  }

  /** DRAIN's quantization of the file, else the dtype holding most of its bytes. */
  private static String weightType(Path file) {
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      String drain = f.metadata().get(DRAIN_QUANTIZATION_KEY);
      if (drain != null) {
        return drain.toLowerCase(Locale.ROOT);
      }
      Map<String, Long> bytes = new HashMap<>();
      for (TensorInfo t : f.tensors().values()) {
        bytes.merge(t.dtype().name(), t.byteSize(), Long::sum);
      }
      return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("?");
    } catch (DrainException e) {
      return "?";
    }
  }

  private static List<Path> safetensorsFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p)).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static long folderSize(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(LocalModels::size).sum();
    } catch (IOException e) {
      return 0;
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }
}
