package tips.drain.model.encoder;

/** A LayerNorm's scale and shift ({@code weight}, {@code bias}), both of the normalised width. */
public record LayerNormWeights(float[] weight, float[] bias) {}
