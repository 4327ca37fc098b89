package tips.drain.model;

/**
 * The weights of one normalization: {@code weight} of the model width and, for a LayerNorm with bias
 * (Falcon, BLOOM), {@code bias} ({@code null} for RMSNorm or a LayerNorm without bias). Which formula applies
 * is the model's {@link NormKind}.
 */
public record Norm(float[] weight, float[] bias) {

  /** An RMSNorm (or bias-free LayerNorm) weight. */
  public static Norm of(float[] weight) {
    return weight == null ? null : new Norm(weight, null);
  }

  /** This norm combined part by part with the same norm of another load (see {@link TransformerWeights#combine}). */
  public static Norm combine(Norm mine, Norm theirs, TransformerWeights.Combiner c) {
    return mine == null ? null : new Norm(c.vector(mine.weight, theirs.weight), c.vector(mine.bias, theirs.bias));
  }
}
