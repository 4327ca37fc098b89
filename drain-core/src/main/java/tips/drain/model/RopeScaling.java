package tips.drain.model;

/**
 * The {@code rope_scaling} of a config. {@code type} is {@code "default"} when there is none.
 *
 * @param type {@code default}, {@code linear}, {@code llama3}, ...
 * @param factor scaling factor
 * @param lowFreqFactor llama3's {@code low_freq_factor}
 * @param highFreqFactor llama3's {@code high_freq_factor}
 * @param originalContext llama3's {@code original_max_position_embeddings}
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
  public static final RopeScaling NONE = new RopeScaling("default", 1, 0, 0, 0);
}
