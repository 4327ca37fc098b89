package tips.drain.tokenizer;

import java.util.Locale;

/**
 * Hugging Face's {@code BertNormalizer}, step by step: {@code clean_text} drops NUL, U+FFFD and control
 * characters (Unicode Cc, Cf, Cn, Co; tab, newline and carriage return count as whitespace) and turns every
 * whitespace into a space; {@code handle_chinese_chars} puts spaces around each CJK ideograph; accents are
 * stripped (NFD, then combining marks dropped) when {@code strip_accents} is true, or when it is null and
 * {@code lowercase} is true; {@code lowercase} lowercases character by character.
 */
record BertNormalizer(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase)
    implements Normalizer {

  @Override
  public String normalize(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 8);
    text.codePoints().forEach(cp -> {
      if (cleanText) {
        if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
          return;
        }
        if (isWhitespace(cp)) {
          cp = ' ';
        }
      }
      if (handleChineseChars && isChinese(cp)) {
        sb.append(' ').appendCodePoint(cp).append(' ');
      } else {
        sb.appendCodePoint(cp);
      }
    });
    String out = sb.toString();
    if (stripAccents) {
      out = Normalizers.stripAccents(java.text.Normalizer.normalize(out, java.text.Normalizer.Form.NFD));
    }
    return lowercase ? lowercaseEach(out) : out;
  }

  /** Rust's {@code char::to_lowercase} applied to each character (no context rules such as the final sigma). */
  static String lowercaseEach(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> {
      if (cp < 0x80) {
        sb.append((char) Character.toLowerCase(cp));
      } else {
        // one character at a time, in the String form: some lowercase to two (U+0130 → "i̇")
        sb.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
      }
    });
    return sb.toString();
  }

  /** BERT's whitespace: tab, newline, carriage return and Unicode White_Space. */
  static boolean isWhitespace(int cp) {
    return Normalizers.isRustWhitespace(cp);
  }

  /** BERT's control characters: general categories Cc, Cf, Cn, Co (and Cs), except tab, newline, carriage return. */
  static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE -> true;
      default -> false;
    };
  }

  /** The CJK Unified Ideographs blocks (and their extensions and compatibility blocks) BERT splits into words. */
  static boolean isChinese(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }
}
