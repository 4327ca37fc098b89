package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code truncation} settings of tokenizer.json: an encoding with special tokens holds at most
 * {@code maxLength} ids, its text's tokens cut at the {@code side} given. (The strategies LongestFirst, OnlyFirst and
 * OnlySecond differ only for pairs of sequences, which DRAIN does not encode.)
 */
public record Truncation(Side side, int maxLength) {

  /** Where tokens are cut off: at the end of the text ({@code Right}) or at its start ({@code Left}). */
  public enum Side { LEFT, RIGHT }

  /** {@code ids} (without special tokens) cut to {@code max} tokens at {@code side}. */
  public static int[] cut(int[] ids, int max, Side side) {
    if (ids.length <= max) {
      return ids;
    }
    int from = side == Side.RIGHT ? 0 : ids.length - max;
    return java.util.Arrays.copyOfRange(ids, from, from + max);
  }

  /** The settings of {@code node}, or null when it is JSON null or absent. */
  static Truncation fromJson(JsonNode node, JsonPath where) {
    if (node == null || node.isNull()) {
      return null;
    }
    String direction = where.optString(node, "direction", "Right");
    Side side = switch (direction) {
      case "Right" -> Side.RIGHT;
      case "Left" -> Side.LEFT;
      default -> throw where.child("direction").error("expected Right or Left, got '" + direction + "'");
    };
    String strategy = where.optString(node, "strategy", "LongestFirst");
    if (!strategy.equals("LongestFirst") && !strategy.equals("OnlyFirst") && !strategy.equals("OnlySecond")) {
      throw where.child("strategy").error("expected LongestFirst, OnlyFirst or OnlySecond, got '" + strategy + "'");
    }
    int max = where.integer(node, "max_length", -1);
    if (max < 1) {
      throw where.child("max_length").error("expected a positive number, got " + JsonPath.describe(node.get("max_length")));
    }
    return new Truncation(side, max);
  }
}
