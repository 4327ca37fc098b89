package tips.drain.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * Parses {@code rope_scaling} as transformers' {@code modeling_rope_utils} reads it. The types DRAIN computes
 * exactly are {@code default}, {@code linear}, {@code dynamic}, {@code llama3} and {@code yarn}; any other
 * ({@code longrope}, {@code su}, ...) is refused.
 */
public final class RopeScalings {
  /** The {@code rope_type}s {@link Rope} implements. */
  public static final String SUPPORTED = "default, linear, dynamic, llama3, yarn";

  private RopeScalings() {}

  /**
   * @param node the {@code rope_scaling} value (null or JSON null for none)
   * @param maxPositions the config's {@code max_position_embeddings}, which dynamic and yarn fall back on
   */
  public static RopeScaling parse(JsonNode node, int maxPositions, Path file) {
    if (node == null || node.isNull()) {
      return RopeScaling.NONE;
    }
    if (!node.isObject()) {
      throw new ConfigException(file + ": rope_scaling must be an object or null, got " + node);
    }
    JsonNode typeNode = node.has("rope_type") ? node.get("rope_type") : node.get("type");
    if (typeNode == null || !typeNode.isTextual()) {
      throw new ConfigException(file + ": rope_scaling has no 'rope_type' (or 'type')");
    }
    String type = typeNode.asText();
    return switch (type) {
      case "default" -> RopeScaling.NONE;
      case "linear" -> RopeScaling.linear(factor(node, file));
      case "dynamic" -> RopeScaling.dynamic(factor(node, file), maxPositions);
      case "llama3" -> RopeScaling.llama3(factor(node, file), number(node, "low_freq_factor", file),
          number(node, "high_freq_factor", file), positiveInt(node, "original_max_position_embeddings", file));
      case "yarn" -> yarn(node, maxPositions, file);
      default -> throw new UnsupportedArchitectureException(file + ": rope_scaling.rope_type '" + type
          + "' is not supported (supported: " + SUPPORTED + ")");
    };
  }

  private static RopeScaling yarn(JsonNode node, int maxPositions, Path file) {
    double factor = factor(node, file);
    int original = node.hasNonNull("original_max_position_embeddings")
        ? positiveInt(node, "original_max_position_embeddings", file) : maxPositions;
    if (original <= 0) {
      throw new ConfigException(file + ": rope_scaling yarn needs original_max_position_embeddings or max_position_embeddings");
    }
    double attention;
    if (node.hasNonNull("attention_factor")) {
      attention = number(node, "attention_factor", file);
    } else if (nonZero(node, "mscale") && nonZero(node, "mscale_all_dim")) {
      attention = yarnMscale(factor, number(node, "mscale", file)) / yarnMscale(factor, number(node, "mscale_all_dim", file));
    } else {
      attention = yarnMscale(factor, 1);
    }
    double betaFast = nonZero(node, "beta_fast") ? number(node, "beta_fast", file) : 32;
    double betaSlow = nonZero(node, "beta_slow") ? number(node, "beta_slow", file) : 1;
    boolean truncate = true;
    if (node.hasNonNull("truncate")) {
      if (!node.get("truncate").isBoolean()) {
        throw new ConfigException(file + ": rope_scaling.truncate must be true or false, got " + node.get("truncate"));
      }
      truncate = node.get("truncate").asBoolean();
    }
    return RopeScaling.yarn(factor, original, attention, betaFast, betaSlow, truncate);
  }

  /** YaRN's {@code get_mscale}: {@code 0.1 * mscale * ln(scale) + 1}, or 1 when {@code scale <= 1}. */
  static double yarnMscale(double scale, double mscale) {
    return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
  }

  /** Python truthiness of an optional number: present, not null, not 0. */
  private static boolean nonZero(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull() && !(v.isNumber() && v.asDouble() == 0);
  }

  private static double factor(JsonNode node, Path file) {
    double f = number(node, "factor", file);
    if (!(f > 0)) {
      throw new ConfigException(file + ": rope_scaling.factor must be positive, got " + f);
    }
    return f;
  }

  private static double number(JsonNode node, String field, Path file) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new ConfigException(file + ": rope_scaling of type '" + typeOf(node) + "' needs '" + field + "'");
    }
    if (!v.isNumber()) {
      throw new ConfigException(file + ": rope_scaling." + field + " must be a number, got " + v);
    }
    return v.asDouble();
  }

  private static int positiveInt(JsonNode node, String field, Path file) {
    double v = number(node, field, file);
    if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
      throw new ConfigException(file + ": rope_scaling." + field + " must be a positive integer, got " + node.get(field));
    }
    return (int) v;
  }

  private static String typeOf(JsonNode node) {
    return node.has("rope_type") ? node.get("rope_type").asText() : node.path("type").asText();
  }
}
