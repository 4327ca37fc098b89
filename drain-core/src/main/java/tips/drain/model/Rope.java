package tips.drain.model;

/**
 * Rotary position embeddings in Hugging Face's "rotate half" convention: dimension {@code i} of a head
 * pairs with {@code i + rotaryDim/2}, rotated by {@code position · invFreq[i]}.
 */
public final class Rope {
  private final int rotaryDim;
  private final float[] invFreq;

  public Rope(RopeConfig config) {
    this.rotaryDim = config.rotaryDim();
    this.invFreq = inverseFrequencies(config);
  }

  /** {@code 1 / theta^(2i/d)} in float, as transformers computes it, then scaled per {@code rope_scaling}. */
  static float[] inverseFrequencies(RopeConfig config) {
    int half = config.rotaryDim() / 2;
    float[] inv = new float[half];
    for (int i = 0; i < half; i++) {
      float exponent = (float) (2 * i) / config.rotaryDim();
      inv[i] = (float) (1.0 / Math.pow(config.theta(), exponent));
    }
    RopeScaling s = config.scaling();
    switch (s.type()) {
      case "default" -> {}
      default -> throw new UnsupportedArchitectureException("rope_scaling type '" + s.type() + "' is not supported");
    }
    return inv;
  }

  public float[] inverseFrequencies() {
    return invFreq.clone();
  }

  /** Fills {@code cos[off + i]}, {@code sin[off + i]} ({@code i < rotaryDim/2}) for {@code position}. */
  public void angles(int position, float[] cos, float[] sin, int off) {
    for (int i = 0; i < invFreq.length; i++) {
      float angle = position * invFreq[i];
      cos[off + i] = (float) Math.cos(angle);
      sin[off + i] = (float) Math.sin(angle);
    }
  }

  /**
   * Rotates {@code heads} consecutive heads of width {@code headDim} starting at {@code x[off]}, with the
   * angles from {@link #angles} stored at {@code cos[angleOff ..]}, {@code sin[angleOff ..]}.
   */
  public void rotate(float[] x, int off, int heads, int headDim, float[] cos, float[] sin, int angleOff) {
    int half = rotaryDim / 2;
    for (int h = 0; h < heads; h++) {
      int base = off + h * headDim;
      for (int i = 0; i < half; i++) {
        float a = x[base + i];
        float b = x[base + i + half];
        float c = cos[angleOff + i];
        float s = sin[angleOff + i];
        x[base + i] = a * c - b * s;
        x[base + i + half] = b * c + a * s;
      }
    }
  }

  public int rotaryDim() {
    return rotaryDim;
  }
}
