package tips.drain.api;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tips.drain.DrainException;
import tips.drain.hub.HubCache;
import tips.drain.hub.HubModels;
import tips.drain.hub.RepoRef;

/**
 * Turns what a user typed after {@code --model} into a model directory: a directory path as it is; otherwise
 * a name looked up as {@code models/NAME} (under {@code $DRAIN_HOME} when set, else the working directory),
 * then as {@code NAME} in each folder of {@code DRAIN_MODEL_PATH} (separated by the path separator); a hub id
 * {@code ORG/NAME[@REVISION]} is then looked up in the Hugging Face cache ({@link HubCache}, no network), where
 * {@code drain pull} and Python tools put models.
 */
public final class ModelLocator {
  private ModelLocator() {}

  public static Path resolve(String model) {
    return resolve(model, System.getenv("DRAIN_HOME"), System.getenv("DRAIN_MODEL_PATH"), HubCache.fromEnvironment());
  }

  static Path resolve(String model, String drainHome, String modelPath) {
    return resolve(model, drainHome, modelPath, null);
  }

  static Path resolve(String model, String drainHome, String modelPath, HubCache hub) {
    List<Path> tried = new ArrayList<>();
    Path direct = Path.of(model);
    if (Files.isDirectory(direct)) {
      return direct;
    }
    tried.add(direct.toAbsolutePath());
    boolean plainName = !model.contains("/") && !model.contains(File.separator);
    if (plainName) {
      Path home = drainHome == null || drainHome.isBlank() ? Path.of("") : Path.of(drainHome);
      Path local = home.resolve("models").resolve(model);
      if (Files.isDirectory(local)) {
        return local;
      }
      tried.add(local.toAbsolutePath());
      if (modelPath != null) {
        for (String folder : modelPath.split(File.pathSeparator)) {
          if (folder.isBlank()) {
            continue;
          }
          Path candidate = Path.of(folder).resolve(model);
          if (Files.isDirectory(candidate)) {
            return candidate;
          }
          tried.add(candidate.toAbsolutePath());
        }
      }
    }
    boolean hubId = hub != null && RepoRef.isRepoId(model.split("@", 2)[0]);
    if (hubId) {
      RepoRef ref = RepoRef.parse(model);
      Optional<Path> snapshot = hub.snapshot(ref);
      if (snapshot.isPresent()) {
        return HubModels.entryPoint(ref, snapshot.get());
      }
      tried.add(hub.repoDirectory(ref.repo()));
    }
    throw new DrainException("model '" + model + "' not found; looked in: " + tried
        + (plainName ? " (set DRAIN_MODEL_PATH to add folders)" : "")
        + (hubId ? " (drain pull " + model + " downloads it)" : ""));
  }
}
