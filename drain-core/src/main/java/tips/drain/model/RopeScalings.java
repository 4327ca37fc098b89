package tips.drain.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Parses {@code rope_scaling}; types this implementation cannot compute exactly are refused. */
public final class RopeScalings {
  private RopeScalings() {}

  public static RopeScaling parse(JsonNode node, Path file) {
    if (node == null || node.isNull()) {
      return RopeScaling.NONE;
    }
    if (!node.isObject()) {
      throw new ConfigException(file + ": rope_scaling must be an object or null, got " + node);
    }
    JsonNode typeNode = node.has("rope_type") ? node.get("rope_type") : node.get("type");
    String type = typeNode == null ? null : typeNode.asText();
    if (type == null) {
      throw new ConfigException(file + ": rope_scaling has no 'rope_type' (or 'type')");
    }
    if (type.equals("default")) {
      return RopeScaling.NONE;
    }
    throw new UnsupportedArchitectureException(file + ": rope_scaling type '" + type + "' is not supported");
  }
}
