package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code post_processor} of tokenizer.json: adds the special tokens around an encoded text (BOS/EOS).
 * Supported: TemplateProcessing (single sequences), BertProcessing, RobertaProcessing, ByteLevel (no change
 * to ids) and Sequence.
 */
@FunctionalInterface
interface PostProcessor {

  /** Wraps {@code ids} in the configured special tokens. Only called when special tokens are wanted. */
  int[] process(int[] ids);

  PostProcessor NONE = ids -> ids;

  static PostProcessor fromJson(JsonNode node, JsonPath where) {
    if (node == null || node.isNull()) {
      return NONE;
    }
    String type = where.type(node);
    return switch (type) {
      case "TemplateProcessing" -> template(node, where);
      case "ByteLevel" -> NONE;
      case "BertProcessing", "RobertaProcessing" -> {
        int cls = idOfPair(node, "cls", where);
        int sep = idOfPair(node, "sep", where);
        yield ids -> concat(new int[] {cls}, ids, new int[] {sep});
      }
      case "Sequence" -> {
        JsonNode items = where.array(node, "processors");
        List<PostProcessor> steps = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
          steps.add(fromJson(items.get(i), where.child("processors").index(i)));
        }
        yield ids -> {
          for (PostProcessor p : steps) {
            ids = p.process(ids);
          }
          return ids;
        };
      }
      default -> throw where.unsupported("post_processor", type);
    };
  }

  private static PostProcessor template(JsonNode node, JsonPath where) {
    JsonNode single = where.array(node, "single");
    JsonNode specials = node.get("special_tokens");
    List<int[]> before = new ArrayList<>();
    List<int[]> after = new ArrayList<>();
    boolean seenSequence = false;
    for (int i = 0; i < single.size(); i++) {
      JsonNode piece = single.get(i);
      JsonPath at = where.child("single").index(i);
      if (piece.has("Sequence")) {
        if (seenSequence) {
          throw at.error("more than one Sequence in a single-sequence template");
        }
        seenSequence = true;
      } else if (piece.has("SpecialToken")) {
        String name = at.child("SpecialToken").string(piece.get("SpecialToken"), "id");
        JsonNode entry = specials == null ? null : specials.get(name);
        if (entry == null) {
          throw at.error("special token '" + name + "' is not in post_processor.special_tokens");
        }
        JsonNode ids = where.child("special_tokens").child(name).array(entry, "ids");
        int[] values = new int[ids.size()];
        for (int k = 0; k < values.length; k++) {
          values[k] = ids.get(k).asInt();
        }
        (seenSequence ? after : before).add(values);
      } else {
        throw at.error("expected Sequence or SpecialToken, got " + JsonPath.describe(piece));
      }
    }
    int[] head = concat(before.toArray(int[][]::new));
    int[] tail = concat(after.toArray(int[][]::new));
    return ids -> concat(head, ids, tail);
  }

  private static int idOfPair(JsonNode node, String field, JsonPath where) {
    JsonNode pair = node.get(field);
    if (pair == null || !pair.isArray() || pair.size() != 2 || !pair.get(1).canConvertToInt()) {
      throw where.child(field).error("expected [token, id], got " + JsonPath.describe(pair));
    }
    return pair.get(1).asInt();
  }

  private static int[] concat(int[]... parts) {
    int n = 0;
    for (int[] p : parts) {
      n += p.length;
    }
    int[] out = new int[n];
    int k = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, k, p.length);
      k += p.length;
    }
    return out;
  }
}
