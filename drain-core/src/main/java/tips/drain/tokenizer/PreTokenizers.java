package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The pre-tokenizers of tokenizer.json that DRAIN supports: ByteLevel, Split, Metaspace, Digits, Whitespace,
 * WhitespaceSplit, Punctuation, BertPreTokenizer and Sequence. Any other type is refused when the file is loaded.
 */
final class PreTokenizers {
  private PreTokenizers() {}

  /** Builds the pre-tokenizer described by {@code node}; null when the node is JSON null. */
  static PreTokenizer fromJson(JsonNode node, JsonPath where) {
    if (node == null || node.isNull()) {
      return null;
    }
    String type = where.type(node);
    return switch (type) {
      case "ByteLevel" -> byteLevel(where.bool(node, "add_prefix_space", true), where.bool(node, "use_regex", true));
      case "Split" -> split(
          SplitPattern.fromJson(node.get("pattern"), where.child("pattern")),
          SplitBehavior.fromJson(where.string(node, "behavior"), where.child("behavior")),
          where.bool(node, "invert", false));
      case "Metaspace" -> metaspace(node, where);
      case "Digits" -> split(SplitPattern.codePoints(PreTokenizers::isNumeric),
          where.bool(node, "individual_digits", false) ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS, false);
      case "WhitespaceSplit" -> split(SplitPattern.codePoints(Normalizers::isRustWhitespace), SplitBehavior.REMOVED, false);
      case "Whitespace" -> whitespace();
      case "Punctuation" -> split(SplitPattern.codePoints(PreTokenizers::isPunctuation),
          SplitBehavior.fromJson(where.optString(node, "behavior", "Isolated"), where.child("behavior")), false);
      case "BertPreTokenizer" -> bert();
      case "Sequence" -> sequence(node, where);
      default -> throw where.unsupported("pre_tokenizer", type);
    };
  }

  static PreTokenizer split(SplitPattern pattern, SplitBehavior behavior, boolean invert) {
    return (text, atStart, out) -> behavior.split(text, pattern, invert, atStart, out);
  }

  /**
   * Optionally prefixes a space, optionally splits with the GPT-2 regex, then maps every UTF-8 byte to its
   * byte-level character.
   */
  static PreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
    SplitPattern gpt2 = GptSplitter.gpt2();
    return (text, atStart, out) -> {
      String t = addPrefixSpace && !text.startsWith(" ") ? " " + text : text;
      if (useRegex) {
        SplitBehavior.ISOLATED.split(t, gpt2, false, atStart, (w, s) -> out.accept(ByteLevel.encode(w), s));
      } else {
        out.accept(ByteLevel.encode(t), atStart);
      }
    };
  }

  static PreTokenizer metaspace(JsonNode node, JsonPath where) {
    String replacement = where.string(node, "replacement");
    if (replacement.codePointCount(0, replacement.length()) != 1) {
      throw where.child("replacement").error("expected one character, got '" + replacement + "'");
    }
    String scheme = where.optString(node, "prepend_scheme", "always");
    if (!where.bool(node, "add_prefix_space", true)) {
      scheme = "never";
    }
    if (!scheme.equals("always") && !scheme.equals("first") && !scheme.equals("never")) {
      throw where.child("prepend_scheme").error("expected always, first or never, got '" + scheme + "'");
    }
    String prepend = scheme;
    boolean split = where.bool(node, "split", true);
    SplitPattern delimiter = SplitPattern.literal(replacement);
    return (text, atStart, out) -> {
      String t = text.replace(" ", replacement);
      boolean add = switch (prepend) {
        case "always" -> true;
        case "first" -> atStart;
        default -> false;
      };
      if (add && !t.startsWith(replacement)) {
        t = replacement + t;
      }
      if (split) {
        SplitBehavior.MERGED_WITH_NEXT.split(t, delimiter, false, atStart, out);
      } else {
        out.accept(t, atStart);
      }
    };
  }

  /** BERT's words: split at whitespace (dropped), then every punctuation character is a word of its own. */
  static PreTokenizer bert() {
    PreTokenizer whitespace = split(SplitPattern.codePoints(Normalizers::isRustWhitespace), SplitBehavior.REMOVED, false);
    PreTokenizer punctuation = split(SplitPattern.codePoints(PreTokenizers::isPunctuation), SplitBehavior.ISOLATED, false);
    return (text, atStart, out) -> whitespace.preTokenize(text, atStart,
        (word, start) -> punctuation.preTokenize(word, start, out));
  }

  /** {@code \w+|[^\w\s]+}, with Unicode {@code \w} and {@code \s}. */
  static PreTokenizer whitespace() {
    SplitPattern words = SplitPattern.regex("\\w+|[^\\w\\s]+", new JsonPath("(built-in)", "Whitespace"));
    return split(words, SplitBehavior.REMOVED, true);
  }

  static PreTokenizer sequence(JsonNode node, JsonPath where) {
    JsonNode items = where.array(node, "pretokenizers");
    List<PreTokenizer> steps = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      PreTokenizer p = fromJson(items.get(i), where.child("pretokenizers").index(i));
      if (p != null) {
        steps.add(p);
      }
    }
    PreTokenizer chain = (text, atStart, out) -> out.accept(text, atStart);
    for (int i = steps.size() - 1; i >= 0; i--) {
      PreTokenizer step = steps.get(i);
      PreTokenizer rest = chain;
      chain = (text, atStart, out) -> step.preTokenize(text, atStart, (w, s) -> rest.preTokenize(w, s, out));
    }
    return chain;
  }

  /** Rust's {@code char::is_numeric}: general categories Nd, Nl and No. */
  static boolean isNumeric(int cp) {
    int t = Character.getType(cp);
    return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
  }

  /** HF's {@code is_punc}: ASCII punctuation or a Unicode P* category. */
  static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION -> true;
      default -> false;
    };
  }
}
