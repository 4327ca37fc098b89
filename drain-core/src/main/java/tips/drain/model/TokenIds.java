package tips.drain.model;

import com.fasterxml.jackson.databind.JsonNode;

/** Token id fields of config files, which are either one integer or a list of them. */
public final class TokenIds {
  private TokenIds() {}

  /** An int, a list of ints, or null (empty). */
  public static int[] parse(JsonNode node, String where) {
    if (node == null || node.isNull()) {
      return new int[0];
    }
    if (node.isIntegralNumber()) {
      return new int[] {node.asInt()};
    }
    if (node.isArray()) {
      int[] ids = new int[node.size()];
      for (int i = 0; i < ids.length; i++) {
        if (!node.get(i).isIntegralNumber()) {
          throw new ConfigException(where + " must be an integer or a list of integers, got " + node);
        }
        ids[i] = node.get(i).asInt();
      }
      return ids;
    }
    throw new ConfigException(where + " must be an integer or a list of integers, got " + node);
  }
}
