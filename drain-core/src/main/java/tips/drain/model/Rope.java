package tips.drain.model;

/**
 * Rotary position embeddings in Hugging Face's "rotate half" convention: dimension {@code i} of a head
 * pairs with {@code i + rotaryDim/2}, rotated by {@code position · invFreq[i]}; dimensions past
 * {@code rotaryDim} (partial rotary) pass through. The frequencies follow transformers'
 * {@code ROPE_INIT_FUNCTIONS} for the {@code rope_scaling} types in {@link RopeScalings#SUPPORTED}, computed
 * in float like PyTorch does; yarn's attention factor multiplies cos and sin.
 *
 * <p>Immutable; {@code dynamic} scaling recomputes the frequencies per forward call from the sequence length
 * ({@code last position + 1}), as transformers' {@code dynamic_rope_update} does, so keys already cached keep
 * the rotation they were stored with.
 */
public final class Rope {
  private final RopeConfig config;
  private final int rotaryDim;
  private final float[] invFreq;
  private final float attentionFactor;

  public Rope(RopeConfig config) {
    if (config.rotaryDim() <= 0 || config.rotaryDim() % 2 != 0) {
      throw new IllegalArgumentException("rotary dimension must be positive and even, got " + config.rotaryDim());
    }
    this.config = config;
    this.rotaryDim = config.rotaryDim();
    this.invFreq = inverseFrequencies(config, 0);
    this.attentionFactor = (float) config.scaling().attentionFactor();
  }

  /**
   * The inverse frequencies for a sequence of {@code seqLen} positions (only {@code dynamic} looks at it),
   * scaled per {@code rope_scaling}.
   */
  static float[] inverseFrequencies(RopeConfig config, int seqLen) {
    RopeScaling s = config.scaling();
    int dim = config.rotaryDim();
    return switch (s.type()) {
      case "default" -> base(config.theta(), dim);
      case "linear" -> {
        // inv_freq /= factor
        float[] inv = base(config.theta(), dim);
        for (int i = 0; i < inv.length; i++) {
          inv[i] /= (float) s.factor();
        }
        yield inv;
      }
      case "llama3" -> llama3(base(config.theta(), dim), s);
      case "dynamic" -> {
        // base grows with the sequence past max_position_embeddings (NTK-aware)
        int maxPositions = s.originalContext();
        double len = Math.max(seqLen, maxPositions);
        double theta = config.theta() * Math.pow(s.factor() * len / maxPositions - (s.factor() - 1), (double) dim / (dim - 2));
        yield base(theta, dim);
      }
      case "yarn" -> yarn(config.theta(), dim, s);
      case "factors" -> {
        // inv_freq / factor[i], the rope_freqs tensor of a GGUF file
        float[] inv = base(config.theta(), dim);
        if (s.frequencyFactors().size() != inv.length) {
          throw new ConfigException("rope frequency factors: " + s.frequencyFactors().size() + " for " + inv.length
              + " frequencies (rotary dimension " + dim + ")");
        }
        for (int i = 0; i < inv.length; i++) {
          inv[i] /= s.frequencyFactors().get(i);
        }
        yield inv;
      }
      default -> throw new UnsupportedArchitectureException("rope_scaling type '" + s.type() + "' is not supported (supported: "
          + RopeScalings.SUPPORTED + ")");
    };
  }

  /** {@code 1 / theta^(2i/d)}: the exponent and the power in float, then the reciprocal in float. */
  private static float[] base(double theta, int dim) {
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      float exponent = (float) (2 * i) / dim;
      inv[i] = 1f / (float) Math.pow(theta, exponent);
    }
    return inv;
  }

  /** Llama 3.1: long wavelengths divided by {@code factor}, short ones kept, a smooth blend between. */
  private static float[] llama3(float[] inv, RopeScaling s) {
    float factor = (float) s.factor();
    float lowFreqWavelen = (float) (s.originalContext() / s.lowFreqFactor());
    float highFreqWavelen = (float) (s.originalContext() / s.highFreqFactor());
    for (int i = 0; i < inv.length; i++) {
      float wavelen = (float) (2 * Math.PI) / inv[i];
      float scaled = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
      boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
      if (medium) {
        float smooth = ((float) s.originalContext() / wavelen - (float) s.lowFreqFactor())
            / (float) (s.highFreqFactor() - s.lowFreqFactor());
        scaled = (1 - smooth) * scaled / factor + smooth * scaled;
      }
      inv[i] = scaled;
    }
    return inv;
  }

  /** YaRN: interpolated (divided by factor) below the correction range, extrapolated above, a linear ramp between. */
  private static float[] yarn(double theta, int dim, RopeScaling s) {
    double low = correctionDim(s.betaFast(), dim, theta, s.originalContext());
    double high = correctionDim(s.betaSlow(), dim, theta, s.originalContext());
    if (s.truncate()) {
      low = Math.floor(low);
      high = Math.ceil(high);
    }
    low = Math.max(low, 0);
    high = Math.min(high, dim - 1);
    if (low == high) {
      high += 0.001; // prevent a division by zero, as transformers does
    }
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      float posFreq = (float) Math.pow(theta, (float) (2 * i) / dim);
      float extrapolation = 1f / posFreq;
      float interpolation = 1f / ((float) s.factor() * posFreq);
      float ramp = Math.clamp((i - (float) low) / (float) (high - low), 0f, 1f);
      float extrapolationFactor = 1 - ramp;
      inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
    }
    return inv;
  }

  /** The dimension whose wavelength makes {@code rotations} turns over {@code context} positions. */
  private static double correctionDim(double rotations, int dim, double theta, int context) {
    return dim * Math.log(context / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
  }

  /** The inverse frequencies (of the configured context for {@code dynamic}). */
  public float[] inverseFrequencies() {
    return invFreq.clone();
  }

  /** Multiplier of cos and sin (yarn's attention factor, else 1). */
  public float attentionFactor() {
    return attentionFactor;
  }

  /**
   * Fills {@code cos[b * half + i]}, {@code sin[b * half + i]} ({@code i < rotaryDim/2}) for positions
   * {@code first + b}, {@code b < count}: the angles of one forward call.
   */
  public void angles(int first, int count, float[] cos, float[] sin) {
    float[] inv = config.scaling().dependsOnLength() ? inverseFrequencies(config, first + count) : invFreq;
    int half = inv.length;
    for (int b = 0; b < count; b++) {
      fill(first + b, inv, cos, sin, b * half);
    }
  }

  /** Fills {@code cos[off + i]}, {@code sin[off + i]} ({@code i < rotaryDim/2}) for {@code position}. */
  public void angles(int position, float[] cos, float[] sin, int off) {
    float[] inv = config.scaling().dependsOnLength() ? inverseFrequencies(config, position + 1) : invFreq;
    fill(position, inv, cos, sin, off);
  }

  private void fill(int position, float[] inv, float[] cos, float[] sin, int off) {
    for (int i = 0; i < inv.length; i++) {
      // freqs = position * inv_freq in float; cos/sin of it, times the attention factor
      float angle = position * inv[i];
      cos[off + i] = (float) Math.cos(angle) * attentionFactor;
      sin[off + i] = (float) Math.sin(angle) * attentionFactor;
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
        // q * cos + rotate_half(q) * sin, with rotate_half(q) = (-q2, q1)
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

  public RopeConfig config() {
    return config;
  }
}
