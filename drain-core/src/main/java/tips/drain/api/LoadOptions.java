package tips.drain.api;

/**
 * How a model is loaded.
 *
 * @param threads compute threads (default: available processors)
 * @param quantization a weight format to quantize to on load ({@code "q8_0"}, {@code "q4_0"}), or null to keep
 *     the stored format; needs drain-quant on the class path
 * @param loadTokenizer whether to load tokenizer.json (false for id-only use)
 */
public record LoadOptions(int threads, String quantization, boolean loadTokenizer) {

  public LoadOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
  }

  /** All available cores, stored weights, tokenizer loaded. */
  public static LoadOptions defaults() {
    return new LoadOptions(Runtime.getRuntime().availableProcessors(), null, true);
  }

  public LoadOptions withThreads(int n) {
    return new LoadOptions(n, quantization, loadTokenizer);
  }

  public LoadOptions withQuantization(String format) {
    return new LoadOptions(threads, format, loadTokenizer);
  }

  public LoadOptions withTokenizer(boolean load) {
    return new LoadOptions(threads, quantization, load);
  }
}
