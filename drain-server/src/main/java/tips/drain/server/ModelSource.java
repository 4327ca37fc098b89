package tips.drain.server;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.template.ChatTemplate;

/**
 * The model a {@link DrainServer} serves: a directory it loads once it listens (so {@code /health} answers 503
 * meanwhile), or a model the application already loaded (and keeps: the server does not close it). Immutable;
 * the {@code with} methods return changed copies.
 *
 * @param directory the model directory to load, or null when {@code loaded} is given
 * @param loaded an already loaded model, or null
 * @param loadOptions how to load {@code directory}
 * @param name the name clients ask for ({@code "model"}); the directory's name by default
 * @param adapters LoRA adapter directories by the name clients ask for, loaded onto the model at run time
 * @param chatTemplate a chat template to use instead of the model's, or null
 */
public record ModelSource(Path directory, LanguageModel loaded, LoadOptions loadOptions, String name,
    Map<String, Path> adapters, ChatTemplate chatTemplate) {

  public ModelSource {
    if ((directory == null) == (loaded == null)) {
      throw new IllegalArgumentException("give either a model directory or a loaded model");
    }
    Objects.requireNonNull(loadOptions, "loadOptions");
    Objects.requireNonNull(name, "name");
    adapters = Collections.unmodifiableMap(new LinkedHashMap<>(adapters));
    for (String adapter : adapters.keySet()) {
      if (adapter.isBlank() || adapter.equals(name)) {
        throw new IllegalArgumentException("adapter name '" + adapter + "' must be non-blank and differ from the "
            + "model's name '" + name + "'");
      }
    }
  }

  /** The model in {@code directory}, loaded with {@code options} when the server starts. */
  public static ModelSource load(Path directory, LoadOptions options) {
    Path file = directory.toAbsolutePath().normalize().getFileName();
    return new ModelSource(directory, null, options, file == null ? "model" : file.toString(), Map.of(), null);
  }

  /** A model already loaded by the application; the server does not close it. */
  public static ModelSource of(LanguageModel model) {
    Path file = model.directory().toAbsolutePath().normalize().getFileName();
    return new ModelSource(null, model, LoadOptions.defaults(), file == null ? "model" : file.toString(), Map.of(),
        null);
  }

  /** Loads {@link #directory()} with {@code options} (ignored for a model already loaded). */
  public ModelSource withLoadOptions(LoadOptions options) {
    return new ModelSource(directory, loaded, options, name, adapters, chatTemplate);
  }

  public ModelSource withName(String n) {
    return new ModelSource(directory, loaded, loadOptions, n, adapters, chatTemplate);
  }

  /** Serves the LoRA adapter in {@code dir} as the model {@code adapterName}. */
  public ModelSource withAdapter(String adapterName, Path dir) {
    Map<String, Path> more = new LinkedHashMap<>(adapters);
    if (more.put(adapterName, dir) != null) {
      throw new IllegalArgumentException("adapter name '" + adapterName + "' is given twice");
    }
    return new ModelSource(directory, loaded, loadOptions, name, more, chatTemplate);
  }

  public ModelSource withChatTemplate(ChatTemplate template) {
    return new ModelSource(directory, loaded, loadOptions, name, adapters, template);
  }
}
