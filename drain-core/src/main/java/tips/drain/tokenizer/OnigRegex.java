package tips.drain.tokenizer;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles a regular expression written for Oniguruma (the engine Hugging Face {@code tokenizers} uses) into
 * a {@link Pattern} that matches the same way on well-formed text.
 *
 * <p>Differences handled: Oniguruma's {@code \s}, {@code \w}, {@code \d} are Unicode-aware and its
 * case-insensitive groups fold Unicode ({@code (?i:'s)} also matches {@code 'ſ}), so the pattern is compiled
 * with {@link Pattern#UNICODE_CHARACTER_CLASS}; Ruby's {@code \h} (a hex digit) becomes {@code [0-9a-fA-F]};
 * {@code \p{^X}} becomes {@code \P{X}}. Java's and Oniguruma's Unicode tables may differ for code points
 * assigned in the newest Unicode versions.
 */
final class OnigRegex {
  private OnigRegex() {}

  static Pattern compile(String onig, JsonPath where) {
    try {
      return Pattern.compile(translate(onig), Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNICODE_CASE);
    } catch (PatternSyntaxException e) {
      throw where.error("cannot compile regex " + onig + ": " + e.getDescription());
    }
  }

  static String translate(String onig) {
    StringBuilder sb = new StringBuilder(onig.length());
    for (int i = 0; i < onig.length(); i++) {
      char c = onig.charAt(i);
      if (c == '\\' && i + 1 < onig.length()) {
        char next = onig.charAt(i + 1);
        if (next == 'h') {
          sb.append("[0-9a-fA-F]");
          i++;
          continue;
        }
        if ((next == 'p' || next == 'P') && i + 3 < onig.length() && onig.charAt(i + 2) == '{'
            && onig.charAt(i + 3) == '^') {
          sb.append('\\').append(next == 'p' ? 'P' : 'p').append('{');
          i += 3;
          continue;
        }
        sb.append(c).append(next);
        i++;
        continue;
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
