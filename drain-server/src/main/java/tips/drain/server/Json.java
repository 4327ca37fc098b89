package tips.drain.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The server's one JSON mapper, and reading request bodies without letting Jackson's messages through. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
  }

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** The body as a JSON object, or a 400 saying where it stops being one. */
  static ObjectNode parseObject(byte[] body) {
    if (body.length == 0) {
      throw ApiException.badRequest(null, "request body is empty: expected a JSON object");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw ApiException.badRequest(null, "request body is not valid JSON" + where);
    } catch (IOException e) {
      throw ApiException.badRequest(null, "request body could not be read as JSON");
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest(null, "request body must be a JSON object, not " + Fields.kind(node));
    }
    return (ObjectNode) node;
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree failed to serialize", e);
    }
  }

  /** OpenAI's error body for {@code e}. */
  static ObjectNode error(ApiException e) {
    ObjectNode root = object();
    ObjectNode error = root.putObject("error");
    error.put("message", e.getMessage());
    error.put("type", e.type());
    error.put("param", e.param());
    error.put("code", e.code());
    return root;
  }
}
