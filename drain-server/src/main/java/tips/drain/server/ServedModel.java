package tips.drain.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tips.drain.DrainException;
import tips.drain.api.Adapter;
import tips.drain.api.LanguageModel;
import tips.drain.sampling.SamplingParams;
import tips.drain.template.ChatTemplate;
import tips.drain.tokenizer.Tokenizer;

/**
 * The loaded model as the server serves it: its tokenizer, chat template and sampling defaults, and the names
 * clients ask for (the model's, then each adapter's).
 */
final class ServedModel implements AutoCloseable {
  /** One name clients can ask for: the base model ({@code adapter} null) or a LoRA adapter over it. */
  record Variant(String name, Adapter adapter) {}

  private final LanguageModel model;
  private final boolean owned;
  private final Tokenizer tokenizer;
  private final ChatTemplate template;
  private final List<Integer> endOfTurn;
  private final Map<String, Variant> variants;
  private final String baseName;

  private ServedModel(LanguageModel model, boolean owned, ChatTemplate template, Map<String, Variant> variants,
      String baseName) {
    this.model = model;
    this.owned = owned;
    this.tokenizer = model.tokenizer().orElseThrow(() -> new DrainException(model.directory()
        + ": the server needs the model's tokenizer (tokenizer.json)"));
    this.template = template;
    int eot = tokenizer.eosId();
    this.endOfTurn = eot < 0 ? List.of() : List.of(eot);
    this.variants = variants;
    this.baseName = baseName;
  }

  /** Loads the model (unless already loaded), its adapters and its chat template. */
  static ServedModel open(ModelSource source) {
    LanguageModel model = source.loaded() != null ? source.loaded()
        : LanguageModel.load(source.directory(), source.loadOptions());
    boolean owned = source.loaded() == null;
    try {
      Map<String, Variant> variants = new LinkedHashMap<>();
      variants.put(source.name(), new Variant(source.name(), null));
      for (Map.Entry<String, Path> a : source.adapters().entrySet()) {
        variants.put(a.getKey(), new Variant(a.getKey(), model.loadAdapter(a.getValue())));
      }
      ChatTemplate template = source.chatTemplate() != null ? source.chatTemplate()
          : ChatTemplate.load(model.directory()).orElse(null);
      return new ServedModel(model, owned, template, variants, source.name());
    } catch (RuntimeException e) {
      if (owned) {
        model.close();
      }
      throw e;
    }
  }

  LanguageModel model() {
    return model;
  }

  Tokenizer tokenizer() {
    return tokenizer;
  }

  /** The chat template, or a 400 saying the model has none. */
  ChatTemplate template() {
    if (template == null) {
      throw ApiException.badRequest("messages", "model '" + baseName + "' has no chat template (no chat_template in "
          + "tokenizer_config.json, no chat_template.jinja): start the server with --chat-template FILE, or use "
          + "/v1/completions");
    }
    return template;
  }

  /** Ids that end an assistant turn besides the model's EOS (tokenizer_config's eos_token). */
  List<Integer> endOfTurn() {
    return endOfTurn;
  }

  /** The sampling of generation_config.json. */
  SamplingParams samplingDefaults() {
    return model.generationConfig().samplingDefaults();
  }

  /** The variant named {@code name} (the base model when null), or a 404. */
  Variant variant(String name) {
    if (name == null) {
      return variants.get(baseName);
    }
    Variant v = variants.get(name);
    if (v == null) {
      throw ApiException.notFound("model", "model_not_found", "model '" + name + "' is not served here; "
          + "GET /v1/models lists " + String.join(", ", variants.keySet()));
    }
    return v;
  }

  List<String> names() {
    return new ArrayList<>(variants.keySet());
  }

  @Override
  public void close() {
    if (owned) {
      model.close();
    }
  }
}
