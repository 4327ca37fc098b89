package tips.drain.api;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import tips.drain.DrainException;
import tips.drain.io.GgufShards;

/**
 * Turns what a user typed after {@code --model} into a model: a directory or a {@code .gguf} file path as it is;
 * otherwise a name looked up as {@code models/NAME} (under {@code $DRAIN_HOME} when set, else the working
 * directory), then as {@code NAME} in each folder of {@code DRAIN_MODEL_PATH} (separated by the path separator),
 * then in each {@link ModelSource} on the class path. A name may be a directory or a {@code .gguf} file.
 */
public final class ModelLocator {
  private ModelLocator() {}

  public static Path resolve(String model) {
    return resolve(model, System.getenv("DRAIN_HOME"), System.getenv("DRAIN_MODEL_PATH"));
  }

  static Path resolve(String model, String drainHome, String modelPath) {
    return resolve(model, drainHome, modelPath, ServiceLoader.load(ModelSource.class).stream().map(ServiceLoader.Provider::get).toList());
  }

  static Path resolve(String model, String drainHome, String modelPath, List<ModelSource> sources) {
    List<String> tried = new ArrayList<>();
    Path direct = Path.of(model);
    if (isModel(direct)) {
      return direct;
    }
    tried.add(direct.toAbsolutePath().toString());
    boolean plainName = !model.contains("/") && !model.contains(File.separator);
    if (plainName) {
      Path home = drainHome == null || drainHome.isBlank() ? Path.of("") : Path.of(drainHome);
      Path local = home.resolve("models").resolve(model);
      if (isModel(local)) {
        return local;
      }
      tried.add(local.toAbsolutePath().toString());
      if (modelPath != null) {
        for (String folder : modelPath.split(File.pathSeparator)) {
          if (folder.isBlank()) {
            continue;
          }
          Path candidate = Path.of(folder).resolve(model);
          if (isModel(candidate)) {
            return candidate;
          }
          tried.add(candidate.toAbsolutePath().toString());
        }
      }
    }
    for (ModelSource source : sources) {
      Optional<Path> found = source.find(model, tried);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new DrainException("model '" + model + "' not found; looked in: " + tried
        + (plainName ? " (set DRAIN_MODEL_PATH to add folders)" : ""));
  }

  /** A model directory, or a GGUF file. */
  static boolean isModel(Path p) {
    return Files.isDirectory(p) || (Files.isRegularFile(p) && GgufShards.isGguf(p));
  }
}
