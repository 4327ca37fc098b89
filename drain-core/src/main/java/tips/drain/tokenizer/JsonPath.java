package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where a tokenizer component sits in its file ({@code tokenizer.json: pre_tokenizer.pretokenizers[0]}), with
 * typed field readers whose errors name that place.
 */
record JsonPath(String file, String path) {

  JsonPath child(String name) {
    return new JsonPath(file, path.isEmpty() ? name : path + "." + name);
  }

  JsonPath index(int i) {
    return new JsonPath(file, path + "[" + i + "]");
  }

  TokenizerException error(String message) {
    return new TokenizerException(file + ": " + (path.isEmpty() ? "" : path + ": ") + message);
  }

  TokenizerException unsupported(String kind, String type) {
    return error("unsupported " + kind + " type '" + type + "' (DRAIN supports BPE tokenizers only; see "
        + "tips.drain.tokenizer for the supported components)");
  }

  /** The "type" field of a component. */
  String type(JsonNode node) {
    return string(node, "type");
  }

  String string(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw child(field).error("expected a string, got " + describe(v));
    }
    return v.asText();
  }

  String optString(JsonNode node, String field, String fallback) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw child(field).error("expected a string, got " + describe(v));
    }
    return v.asText();
  }

  boolean bool(JsonNode node, String field, boolean fallback) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw child(field).error("expected true or false, got " + describe(v));
    }
    return v.asBoolean();
  }

  int integer(JsonNode node, String field, int fallback) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.canConvertToInt()) {
      throw child(field).error("expected an integer, got " + describe(v));
    }
    return v.asInt();
  }

  JsonNode array(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isArray()) {
      throw child(field).error("expected an array, got " + describe(v));
    }
    return v;
  }

  static String describe(JsonNode v) {
    if (v == null) {
      return "nothing (field missing)";
    }
    String s = v.toString();
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
