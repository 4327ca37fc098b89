package tips.drain.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A place {@link ModelLocator} looks a model name up, beyond paths, {@code models/} and {@code DRAIN_MODEL_PATH}
 * (e.g. a download cache). Implementations are found with {@link java.util.ServiceLoader} and asked in class-path
 * order after the built-in places; they must not touch the network.
 */
public interface ModelSource {

  /**
   * The model directory or {@code .gguf} file {@code name} stands for, if this source has it; otherwise empty,
   * after adding what it looked at to {@code tried} (shown in the not-found message).
   */
  Optional<Path> find(String name, List<String> tried);
}
