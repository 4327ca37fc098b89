package tips.drain.api;

import java.nio.file.Path;
import tips.drain.lora.LoraAdapter;
import tips.drain.model.Transformer;

/**
 * A LoRA adapter loaded onto one {@link LanguageModel} by {@link LanguageModel#loadAdapter}, for sessions to run
 * with ({@link SessionOptions#withAdapter}). It is applied at run time over the model's weights, which it shares
 * and never modifies: each adapted projection computes {@code W·x + scale·B·(A·x)}, tensors the adapter stores
 * whole ({@code modules_to_save}) replace the model's, and everything else is the model's own. So any number of
 * adapters, and sessions without one, run side by side on one model, concurrently from several threads.
 *
 * <p>Immutable and thread-safe. It holds only the adapter's own tensors, on the heap: there is nothing to close,
 * and it is garbage collected once no session uses it. It is bound to its model and, like a session, must not
 * be used after the model is closed.
 */
public final class Adapter {
  private final LanguageModel model;
  private final LoraAdapter lora;
  private final Transformer transformer;

  Adapter(LanguageModel model, LoraAdapter lora, Transformer transformer) {
    this.model = model;
    this.lora = lora;
    this.transformer = transformer;
  }

  /** The adapter directory it was loaded from. */
  public Path directory() {
    return lora.directory();
  }

  /** One line for display: rank, alpha, adapted layers, replaced tensors and the directory. */
  public String describe() {
    return lora.describe();
  }

  /** The model it was loaded onto. */
  LanguageModel model() {
    return model;
  }

  /** The model's forward pass over the adapted view of its weights. */
  Transformer transformer() {
    return transformer;
  }

  @Override
  public String toString() {
    return "Adapter[" + lora.directory() + " on " + model.directory() + "]";
  }
}
