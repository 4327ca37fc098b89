package tips.drain.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of a request object's fields. An absent or {@code null} field is "not given"; a field of the wrong
 * type or out of range is a 400 naming it. Fields nobody asks for are ignored, as OpenAI's clients expect.
 */
final class Fields {
  private final ObjectNode node;
  private final String prefix;

  Fields(ObjectNode node) {
    this(node, "");
  }

  private Fields(ObjectNode node, String prefix) {
    this.node = node;
    this.prefix = prefix;
  }

  /** The JSON kind of a node, for messages: "a string", "an array"... */
  static String kind(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "null";
    }
    if (n.isTextual()) {
      return "a string";
    }
    if (n.isBoolean()) {
      return "a boolean";
    }
    if (n.isNumber()) {
      return "a number";
    }
    if (n.isArray()) {
      return "an array";
    }
    return "an object";
  }

  String name(String field) {
    return prefix + field;
  }

  private JsonNode given(String field) {
    JsonNode n = node.get(field);
    return n == null || n.isNull() ? null : n;
  }

  boolean has(String field) {
    return given(field) != null;
  }

  private ApiException wrongType(String field, String expected, JsonNode got) {
    return ApiException.badRequest(name(field), "'" + name(field) + "' must be " + expected + ", got " + kind(got));
  }

  String string(String field) {
    JsonNode n = given(field);
    if (n == null) {
      return null;
    }
    if (!n.isTextual()) {
      throw wrongType(field, "a string", n);
    }
    return n.asText();
  }

  Boolean bool(String field) {
    JsonNode n = given(field);
    if (n == null) {
      return null;
    }
    if (!n.isBoolean()) {
      throw wrongType(field, "a boolean", n);
    }
    return n.asBoolean();
  }

  /** A whole number in {@code [min, max]}, or null. */
  Long integer(String field, long min, long max) {
    JsonNode n = given(field);
    if (n == null) {
      return null;
    }
    if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()))) {
      throw wrongType(field, "an integer", n);
    }
    if (!n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
      throw ApiException.badRequest(name(field), "'" + name(field) + "' must be between " + min + " and " + max
          + ", got " + n.asText());
    }
    return n.asLong();
  }

  /** A number in {@code [min, max]}, or null. */
  Float number(String field, double min, double max) {
    JsonNode n = given(field);
    if (n == null) {
      return null;
    }
    if (!n.isNumber()) {
      throw wrongType(field, "a number", n);
    }
    double v = n.asDouble();
    if (!(v >= min && v <= max)) {
      throw ApiException.badRequest(name(field), "'" + name(field) + "' must be between " + min + " and " + max
          + ", got " + n.asText());
    }
    return (float) v;
  }

  /** A number above {@code min} (exclusive) and at most {@code max}, or null. */
  Float numberAbove(String field, double min, double max) {
    Float v = number(field, min, max);
    if (v != null && v <= min) {
      throw ApiException.badRequest(name(field), "'" + name(field) + "' must be greater than " + min + ", got " + v);
    }
    return v;
  }

  /** A nested object, or null. */
  Fields object(String field) {
    JsonNode n = given(field);
    if (n == null) {
      return null;
    }
    if (!n.isObject()) {
      throw wrongType(field, "an object", n);
    }
    return new Fields((ObjectNode) n, name(field) + ".");
  }

  /** The raw node of a field whose type the caller checks, or null. */
  JsonNode raw(String field) {
    return given(field);
  }

  /** A string or a list of non-empty strings (OpenAI's {@code stop}), as a list; empty when absent. */
  List<String> stringOrList(String field, int maxCount) {
    JsonNode n = given(field);
    List<String> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    if (n.isTextual()) {
      out.add(n.asText());
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        JsonNode e = n.get(i);
        if (!e.isTextual()) {
          throw ApiException.badRequest(name(field), "'" + name(field) + "[" + i + "]' must be a string, got " + kind(e));
        }
        out.add(e.asText());
      }
    } else {
      throw wrongType(field, "a string or an array of strings", n);
    }
    if (out.size() > maxCount) {
      throw ApiException.badRequest(name(field), "'" + name(field) + "' has " + out.size() + " entries; at most "
          + maxCount + " are allowed");
    }
    for (String s : out) {
      if (s.isEmpty()) {
        throw ApiException.badRequest(name(field), "'" + name(field) + "' must not contain an empty string");
      }
    }
    return out;
  }
}
