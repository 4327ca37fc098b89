package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Split pre-tokenizer or a Replace normalizer looks for: a literal string, a regular expression
 * (in Hugging Face's Oniguruma dialect), or a character class.
 */
interface SplitPattern {

  /** Appends the non-overlapping matches in {@code text}, left to right, as start/end pairs to {@code out}. */
  void findMatches(String text, IntList out);

  /** Replaces every match by {@code content}. */
  default String replaceAll(String text, String content) {
    IntList m = new IntList(8);
    findMatches(text, m);
    if (m.size() == 0) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length() + 8);
    int prev = 0;
    for (int i = 0; i < m.size(); i += 2) {
      sb.append(text, prev, m.get(i)).append(content);
      prev = m.get(i + 1);
    }
    return sb.append(text, prev, text.length()).toString();
  }

  /** Reads {@code {"String": "..."}} or {@code {"Regex": "..."}}. */
  static SplitPattern fromJson(JsonNode node, JsonPath where) {
    if (node != null && node.has("String")) {
      return literal(where.string(node, "String"));
    }
    if (node != null && node.has("Regex")) {
      return regex(where.string(node, "Regex"), where.child("Regex"));
    }
    throw where.error("expected {\"String\": ...} or {\"Regex\": ...}, got " + JsonPath.describe(node));
  }

  /** Every occurrence of {@code literal}; an empty literal matches nothing. */
  static SplitPattern literal(String literal) {
    return (text, out) -> {
      if (literal.isEmpty()) {
        return;
      }
      int from = 0;
      int at;
      while ((at = text.indexOf(literal, from)) >= 0) {
        out.add(at);
        out.add(at + literal.length());
        from = at + literal.length();
      }
    };
  }

  /** Each single code point that satisfies {@code test} is one match. */
  static SplitPattern codePoints(IntPredicate test) {
    return (text, out) -> {
      for (int i = 0; i < text.length(); ) {
        int cp = text.codePointAt(i);
        int next = i + Character.charCount(cp);
        if (test.test(cp)) {
          out.add(i);
          out.add(next);
        }
        i = next;
      }
    };
  }

  /**
   * A regular expression as Hugging Face writes it for Oniguruma. The known GPT-2 / Llama 3 / Qwen 2 patterns
   * get a hand-written matcher ({@link GptSplitter}); others run on {@link java.util.regex} with Oniguruma's
   * Unicode semantics for {@code \s}, {@code \w}, {@code \d} and case-insensitive groups.
   */
  static SplitPattern regex(String onigPattern, JsonPath where) {
    GptSplitter known = GptSplitter.forPattern(onigPattern);
    if (known != null) {
      return known;
    }
    Pattern pattern = OnigRegex.compile(onigPattern, where);
    return (text, out) -> {
      Matcher m = pattern.matcher(text);
      while (m.find()) {
        if (m.end() > m.start()) {
          out.add(m.start());
          out.add(m.end());
        }
      }
    };
  }
}
