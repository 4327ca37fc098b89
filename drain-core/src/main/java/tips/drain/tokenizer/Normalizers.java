package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The normalizers of tokenizer.json that DRAIN supports: NFC, NFD, NFKC, NFKD, Lowercase, Strip,
 * StripAccents, Replace, Prepend, BertNormalizer and Sequence. Any other type is refused when the file is loaded.
 */
final class Normalizers {
  private Normalizers() {}

  /** Builds the normalizer described by {@code node}; null when the node is JSON null. */
  static Normalizer fromJson(JsonNode node, JsonPath where) {
    if (node == null || node.isNull()) {
      return null;
    }
    String type = where.type(node);
    return switch (type) {
      case "NFC" -> text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC);
      case "NFD" -> text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFD);
      case "NFKC" -> text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKC);
      case "NFKD" -> text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKD);
      case "Lowercase" -> text -> text.toLowerCase(Locale.ROOT);
      case "StripAccents" -> Normalizers::stripAccents;
      case "Strip" -> strip(where.bool(node, "left", true), where.bool(node, "right", true));
      case "Prepend" -> prepend(where.string(node, "prepend"));
      case "Replace" -> replace(node, where);
      case "Sequence" -> sequence(node, where);
      case "BertNormalizer" -> bert(node, where);
      default -> throw where.unsupported("normalizer", type);
    };
  }

  /** {@code strip_accents: null} follows {@code lowercase}, as in Hugging Face. */
  static Normalizer bert(JsonNode node, JsonPath where) {
    boolean lowercase = where.bool(node, "lowercase", true);
    return new BertNormalizer(where.bool(node, "clean_text", true), where.bool(node, "handle_chinese_chars", true),
        where.bool(node, "strip_accents", lowercase), lowercase);
  }

  static Normalizer prepend(String prefix) {
    return text -> text.isEmpty() ? text : prefix + text;
  }

  static Normalizer replace(JsonNode node, JsonPath where) {
    SplitPattern pattern = SplitPattern.fromJson(node.get("pattern"), where.child("pattern"));
    String content = where.string(node, "content");
    return text -> pattern.replaceAll(text, content);
  }

  static Normalizer strip(boolean left, boolean right) {
    return text -> {
      int from = 0;
      int to = text.length();
      while (left && from < to && isRustWhitespace(text.codePointAt(from))) {
        from += Character.charCount(text.codePointAt(from));
      }
      while (right && to > from && isRustWhitespace(text.codePointBefore(to))) {
        to -= Character.charCount(text.codePointBefore(to));
      }
      return text.substring(from, to);
    };
  }

  /** Rust's {@code char::is_whitespace}: the Unicode White_Space property. */
  static boolean isRustWhitespace(int cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
        || cp == 0x3000;
  }

  /** Removes combining marks (general category Mn), as HF's StripAccents does after an NFD normalizer. */
  static String stripAccents(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    text.codePoints().filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK).forEach(sb::appendCodePoint);
    return sb.toString();
  }

  static Normalizer sequence(JsonNode node, JsonPath where) {
    JsonNode items = where.array(node, "normalizers");
    List<Normalizer> steps = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Normalizer n = fromJson(items.get(i), where.child("normalizers").index(i));
      if (n != null) {
        steps.add(n);
      }
    }
    return text -> {
      for (Normalizer n : steps) {
        text = n.normalize(text);
      }
      return text;
    };
  }
}
