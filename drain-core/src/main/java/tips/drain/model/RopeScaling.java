package tips.drain.model;

import java.util.List;

/**
 * The {@code rope_scaling} of a config, resolved: every default applied. {@code type} is {@code "default"}
 * when there is none. How each type changes the frequencies is in {@link Rope}.
 *
 * @param type {@code default}, {@code linear}, {@code dynamic}, {@code llama3} or {@code yarn}
 * @param factor scaling factor (1 for default)
 * @param lowFreqFactor llama3's {@code low_freq_factor}
 * @param highFreqFactor llama3's {@code high_freq_factor}
 * @param originalContext the pre-scaling context: llama3's and yarn's {@code original_max_position_embeddings}
 *     (yarn: else {@code max_position_embeddings}); dynamic's {@code max_position_embeddings}
 * @param attentionFactor yarn's multiplier of cos and sin (1 for the other types)
 * @param betaFast yarn's {@code beta_fast}
 * @param betaSlow yarn's {@code beta_slow}
 * @param truncate yarn's {@code truncate}: round the correction range to whole dimensions
 * @param frequencyFactors type {@code factors}: one divisor per rotary frequency (GGUF's {@code rope_freqs} tensor,
 *     in which llama.cpp's converter stores Llama 3 scaling); empty for the other types
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalContext,
    double attentionFactor, double betaFast, double betaSlow, boolean truncate, List<Float> frequencyFactors) {

  public static final RopeScaling NONE = new RopeScaling("default", 1, 0, 0, 0, 1, 0, 0, true);

  public RopeScaling {
    frequencyFactors = List.copyOf(frequencyFactors);
  }

  /** A scaling without per-frequency factors. */
  public RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalContext,
      double attentionFactor, double betaFast, double betaSlow, boolean truncate) {
    this(type, factor, lowFreqFactor, highFreqFactor, originalContext, attentionFactor, betaFast, betaSlow, truncate,
        List.of());
  }

  /**
   * Type {@code factors}: frequency {@code i} divided by {@code factors[i]}, as llama.cpp applies a GGUF's
   * {@code rope_freqs} tensor (Llama 3 scaling, precomputed by the converter).
   */
  public static RopeScaling frequencyFactors(float[] factors) {
    List<Float> list = new java.util.ArrayList<>(factors.length);
    for (float f : factors) {
      list.add(f);
    }
    return new RopeScaling("factors", 1, 0, 0, 0, 1, 0, 0, true, list);
  }

  /** A scaling without yarn's parameters. */
  public RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
    this(type, factor, lowFreqFactor, highFreqFactor, originalContext, 1, 0, 0, true);
  }

  /** {@code rope_type: linear}: every frequency divided by {@code factor}. */
  public static RopeScaling linear(double factor) {
    return new RopeScaling("linear", factor, 0, 0, 0);
  }

  /** {@code rope_type: llama3}: low frequencies divided by {@code factor}, a smooth ramp between. */
  public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
    return new RopeScaling("llama3", factor, lowFreqFactor, highFreqFactor, originalContext);
  }

  /** {@code rope_type: dynamic}: NTK-aware base growing with the sequence past {@code maxPositions}. */
  public static RopeScaling dynamic(double factor, int maxPositions) {
    return new RopeScaling("dynamic", factor, 0, 0, maxPositions);
  }

  /** {@code rope_type: yarn}. */
  public static RopeScaling yarn(double factor, int originalContext, double attentionFactor, double betaFast,
      double betaSlow, boolean truncate) {
    return new RopeScaling("yarn", factor, 0, 0, originalContext, attentionFactor, betaFast, betaSlow, truncate);
  }

  /** True when the frequencies depend on the sequence length ({@code dynamic}). */
  public boolean dependsOnLength() {
    return type.equals("dynamic");
  }
}
