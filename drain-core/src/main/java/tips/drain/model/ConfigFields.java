package tips.drain.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Reads the config.json fields every decoder family shares, with the defaults of that family's transformers
 * config class, into a {@link ModelConfig.Builder}. Messages name the file and the field.
 */
public final class ConfigFields {
  /** {@code layer_types} values. */
  public static final String SLIDING = "sliding_attention";
  public static final String FULL = "full_attention";

  private ConfigFields() {}

  /**
   * What a family's config class uses when a key is absent.
   *
   * @param headDim {@code head_dim} default, or 0 for {@code hidden_size / num_attention_heads}
   * @param contextLength {@code max_position_embeddings} default
   * @param rmsNormEps {@code rms_norm_eps} default
   * @param ropeTheta {@code rope_theta} default
   * @param tieWordEmbeddings {@code tie_word_embeddings} default
   */
  public record Defaults(int headDim, int contextLength, double rmsNormEps, double ropeTheta, boolean tieWordEmbeddings) {}

  /**
   * Sizes, heads, context, eps, rotary embedding (theta, {@code rope_scaling}, {@code partial_rotary_factor}),
   * tied embeddings, special tokens and the activation named by {@code activationField}.
   */
  public static ModelConfig.Builder common(HfConfig c, Path file, String family, String className, Defaults d,
      String activationField, String activationName) {
    int hidden = Require.positive(c.hiddenSize(), "hidden_size", file);
    int heads = Require.positive(c.numAttentionHeads(), "num_attention_heads", file);
    int kvHeads = Require.positiveOr(c.numKeyValueHeads(), heads, "num_key_value_heads", file);
    Require.check(heads % kvHeads == 0, file,
        "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
    int headDim;
    if (c.headDim() == null && d.headDim() == 0) {
      Require.check(hidden % heads == 0, file, "hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
      headDim = hidden / heads;
    } else {
      headDim = Require.positiveOr(c.headDim(), d.headDim(), "head_dim", file);
    }
    int context = Require.positiveOr(c.maxPositionEmbeddings(), d.contextLength(), "max_position_embeddings", file);
    double eps = Require.positiveOr(c.rmsNormEps(), d.rmsNormEps(), "rms_norm_eps", file);
    double theta = Require.positiveOr(c.ropeTheta(), d.ropeTheta(), "rope_theta", file);
    double partial = c.partialRotaryFactor() == null ? 1.0 : c.partialRotaryFactor();
    Require.check(partial > 0 && partial <= 1, file, "partial_rotary_factor must be in (0, 1], got " + partial);
    int rotaryDim = (int) (headDim * partial);
    Require.check(rotaryDim >= 2 && rotaryDim % 2 == 0, file, "head_dim " + headDim + " × partial_rotary_factor " + partial
        + " = " + rotaryDim + " rotary dimensions: must be even and at least 2");
    RopeScaling scaling = RopeScalings.parse(c.ropeScaling(), context, file);
    Activation activation = Activation.fromHf(activationName == null ? "silu" : activationName,
        file + ": " + activationField);
    int bos = c.bosTokenId() != null && c.bosTokenId().isIntegralNumber() ? c.bosTokenId().asInt() : -1;
    int[] eos = TokenIds.parse(c.eosTokenId(), file + ": eos_token_id");
    return ModelConfig.builder(family, className)
        .sizes(hidden, Require.positive(c.intermediateSize(), "intermediate_size", file),
            Require.positive(c.numHiddenLayers(), "num_hidden_layers", file),
            Require.positive(c.vocabSize(), "vocab_size", file))
        .heads(heads, kvHeads, headDim)
        .contextLength(context)
        .rmsNormEps((float) eps)
        .rope(new RopeConfig(theta, rotaryDim, scaling))
        .tieWordEmbeddings(c.tieWordEmbeddings() == null ? d.tieWordEmbeddings() : c.tieWordEmbeddings())
        .activation(activation)
        .specialTokens(bos, eos);
  }

  /**
   * {@code sliding_window}: {@code fallback} when the key is absent, 0 (no window) when null, else a positive
   * number of tokens.
   */
  public static int slidingWindow(JsonNode value, int fallback, Path file) {
    if (HfConfig.absent(value)) {
      return fallback;
    }
    if (value.isNull()) {
      return 0;
    }
    if (!value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > Integer.MAX_VALUE) {
      throw new ConfigException(file + ": 'sliding_window' must be a positive integer or null, got " + value);
    }
    return value.asInt();
  }

  /** A soft-capping value: {@code fallback} when absent, 0 (none) when null, else positive. */
  public static float softcap(JsonNode value, double fallback, String field, Path file) {
    if (HfConfig.absent(value)) {
      return (float) fallback;
    }
    if (value.isNull()) {
      return 0f;
    }
    if (!value.isNumber() || !(value.asDouble() > 0) || Double.isInfinite(value.asDouble())) {
      throw new ConfigException(file + ": '" + field + "' must be a positive number or null, got " + value);
    }
    return (float) value.asDouble();
  }

  /**
   * Which layers slide: {@code layer_types} when present ({@value #SLIDING} / {@value #FULL}, one per layer),
   * else {@code defaultSliding}.
   */
  public static boolean[] slidingLayers(List<String> layerTypes, int layers, IntPredicate defaultSliding, Path file) {
    boolean[] sliding = new boolean[layers];
    if (layerTypes == null) {
      for (int l = 0; l < layers; l++) {
        sliding[l] = defaultSliding.test(l);
      }
      return sliding;
    }
    Require.check(layerTypes.size() == layers, file,
        "layer_types has " + layerTypes.size() + " entries for " + layers + " layers (num_hidden_layers)");
    for (int l = 0; l < layers; l++) {
      String t = layerTypes.get(l);
      if (SLIDING.equals(t)) {
        sliding[l] = true;
      } else if (!FULL.equals(t)) {
        throw new UnsupportedArchitectureException(file + ": layer_types[" + l + "] '" + t + "' is not supported (supported: "
            + SLIDING + ", " + FULL + ")");
      }
    }
    return sliding;
  }

  /** Per-layer configs: {@code window} on the sliding layers, the full-attention rope or the local one. */
  public static List<LayerConfig> layers(boolean[] sliding, int window, RopeConfig globalRope, RopeConfig localRope) {
    List<LayerConfig> out = new ArrayList<>(sliding.length);
    for (boolean s : sliding) {
      out.add(s ? new LayerConfig(window, localRope) : new LayerConfig(0, globalRope));
    }
    return out;
  }

  /** Refuses {@code pretraining_tp} other than 1 (sliced projections transformers only uses in training). */
  public static void requireNoTensorParallel(HfConfig c, Path file) {
    if (c.pretrainingTp() != null && c.pretrainingTp() != 1) {
      throw new UnsupportedArchitectureException(file + ": pretraining_tp " + c.pretrainingTp() + " is not supported (only 1)");
    }
  }
}
