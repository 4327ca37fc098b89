package tips.drain.hub;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tips.drain.api.ModelSource;

/**
 * {@code --model ORG/NAME[@REVISION]} from the Hugging Face cache (where {@code drain pull} and Python tools put
 * models), without the network: the snapshot folder its ref points at, or its GGUF file.
 */
public final class HubModelSource implements ModelSource {
  private final HubCache cache;

  /** The cache the environment names; found by {@link java.util.ServiceLoader}. */
  public HubModelSource() {
    this(HubCache.fromEnvironment());
  }

  public HubModelSource(HubCache cache) {
    this.cache = cache;
  }

  @Override
  public Optional<Path> find(String name, List<String> tried) {
    if (!RepoRef.isRepoId(name.split("@", 2)[0])) {
      return Optional.empty();
    }
    RepoRef ref;
    try {
      ref = RepoRef.parse(name);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Optional<Path> snapshot = cache.snapshot(ref);
    if (snapshot.isEmpty()) {
      tried.add(cache.repoDirectory(ref.repo()) + " (drain pull " + name + " downloads it)");
    }
    return snapshot.map(s -> HubModels.entryPoint(ref, s));
  }
}
