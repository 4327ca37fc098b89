package tips.drain.api;

import java.nio.file.Path;
import java.util.Objects;
import tips.drain.engine.EngineOptions;
import tips.drain.lora.LoraMode;

/**
 * How a model is loaded.
 *
 * @param threads compute threads (default: available processors)
 * @param quantization a weight format to quantize to on load ({@code "q8_0"}, {@code "q4_0"}), or null to keep
 *     the stored format; needs drain-quant on the class path
 * @param loadTokenizer whether to load tokenizer.json (false for id-only use)
 * @param adapter a PEFT LoRA adapter directory to apply, or null
 * @param adapterMode how to apply {@code adapter}: merged into the weights (before quantizing) or at run time
 * @param engine how the model's engine shares it among sessions: slots, queue, tokens per step, KV budget
 */
public record LoadOptions(int threads, String quantization, boolean loadTokenizer, Path adapter, LoraMode adapterMode,
    EngineOptions engine) {

  public LoadOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    Objects.requireNonNull(adapterMode, "adapterMode");
    Objects.requireNonNull(engine, "engine");
  }

  public LoadOptions(int threads, String quantization, boolean loadTokenizer, Path adapter, LoraMode adapterMode) {
    this(threads, quantization, loadTokenizer, adapter, adapterMode, EngineOptions.defaults());
  }

  public LoadOptions(int threads, String quantization, boolean loadTokenizer) {
    this(threads, quantization, loadTokenizer, null, LoraMode.MERGED);
  }

  /** Applies the LoRA adapter in {@code dir} (null for none) in {@code mode}. */
  public LoadOptions withAdapter(Path dir, LoraMode mode) {
    return new LoadOptions(threads, quantization, loadTokenizer, dir, mode, engine);
  }

  /** All available cores, stored weights, tokenizer loaded. */
  public static LoadOptions defaults() {
    return new LoadOptions(Runtime.getRuntime().availableProcessors(), null, true);
  }

  /** Shares the model among sessions as {@code options} say (slots, queue, tokens per step, KV budget). */
  public LoadOptions withEngine(EngineOptions options) {
    return new LoadOptions(threads, quantization, loadTokenizer, adapter, adapterMode, options);
  }

  public LoadOptions withThreads(int n) {
    return new LoadOptions(n, quantization, loadTokenizer, adapter, adapterMode, engine);
  }

  public LoadOptions withQuantization(String format) {
    return new LoadOptions(threads, format, loadTokenizer, adapter, adapterMode, engine);
  }

  public LoadOptions withTokenizer(boolean load) {
    return new LoadOptions(threads, quantization, load, adapter, adapterMode, engine);
  }
}
