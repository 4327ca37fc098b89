package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;

/**
 * The {@code padding} settings of tokenizer.json: encodings are filled with {@code padId} at {@code side} up to
 * {@code fixedLength} ({@code Fixed}), or up to the longest of a batch ({@code BatchLongest}, {@code fixedLength} 0),
 * then up to a multiple of {@code multipleOf} (0: none).
 */
public record Padding(Truncation.Side side, int fixedLength, int multipleOf, int padId) {

  /** The length {@code ids} of one encoding, in a batch whose longest has {@code longest} ids, is padded to. */
  public int paddedLength(int longest) {
    int n = fixedLength > 0 ? fixedLength : longest;
    if (multipleOf > 0 && n % multipleOf != 0) {
      n += multipleOf - n % multipleOf;
    }
    return n;
  }

  /** {@code ids} padded to {@link #paddedLength(int) paddedLength(longest)} (never cut). */
  public int[] pad(int[] ids, int longest) {
    int n = paddedLength(longest);
    if (ids.length >= n) {
      return ids;
    }
    int[] out = new int[n];
    Arrays.fill(out, padId);
    System.arraycopy(ids, 0, out, side == Truncation.Side.RIGHT ? 0 : n - ids.length, ids.length);
    return out;
  }

  /** The settings of {@code node}, or null when it is JSON null or absent. */
  static Padding fromJson(JsonNode node, JsonPath where) {
    if (node == null || node.isNull()) {
      return null;
    }
    JsonNode strategy = node.get("strategy");
    int fixed;
    if (strategy != null && strategy.isTextual() && strategy.asText().equals("BatchLongest")) {
      fixed = 0;
    } else if (strategy != null && strategy.isObject() && strategy.has("Fixed") && strategy.get("Fixed").canConvertToInt()
        && strategy.get("Fixed").asInt() > 0) {
      fixed = strategy.get("Fixed").asInt();
    } else {
      throw where.child("strategy").error("expected \"BatchLongest\" or {\"Fixed\": n}, got " + JsonPath.describe(strategy));
    }
    String direction = where.optString(node, "direction", "Right");
    Truncation.Side side = switch (direction) {
      case "Right" -> Truncation.Side.RIGHT;
      case "Left" -> Truncation.Side.LEFT;
      default -> throw where.child("direction").error("expected Right or Left, got '" + direction + "'");
    };
    int multiple = where.integer(node, "pad_to_multiple_of", 0);
    if (multiple < 0) {
      throw where.child("pad_to_multiple_of").error("expected a positive number or null, got " + multiple);
    }
    return new Padding(side, fixed, multiple, where.integer(node, "pad_id", 0));
  }
}
