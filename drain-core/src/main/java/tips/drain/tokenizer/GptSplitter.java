package tips.drain.tokenizer;

/**
 * A hand-written matcher for the three word-splitting regexes that byte-level BPE tokenizers use: GPT-2's
 * (the ByteLevel pre-tokenizer), Llama 3's and Qwen 2's (Split pre-tokenizers). It returns exactly the matches
 * Oniguruma returns for them, runs several times faster than {@link java.util.regex}, and never backtracks.
 *
 * <p>Character classes follow Oniguruma: {@code \p{L}} = general category L, {@code \p{N}} = Nd|Nl|No,
 * {@code \s} = the Unicode White_Space property; in {@code (?i:'s|'t...)} the letter {@code s} also matches
 * U+017F (long s), whose case fold is {@code s}.
 */
final class GptSplitter implements SplitPattern {

  static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
  static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
      + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|"
      + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

  private static final int OTHER = 0;
  private static final int LETTER = 1;
  private static final int NUMBER = 2;
  private static final int SPACE = 3;
  private static final byte[] ASCII_CLASS = new byte[128];

  static {
    for (int c = 0; c < 128; c++) {
      ASCII_CLASS[c] = (byte) classOfSlow(c);
    }
  }

  private final boolean llamaStyle;
  private final int maxDigits;

  private GptSplitter(boolean llamaStyle, int maxDigits) {
    this.llamaStyle = llamaStyle;
    this.maxDigits = maxDigits;
  }

  /** The hand-written matcher for {@code pattern}, or null if it is not one of the known regexes. */
  static GptSplitter forPattern(String pattern) {
    return switch (pattern) {
      case GPT2 -> new GptSplitter(false, Integer.MAX_VALUE);
      case LLAMA3 -> new GptSplitter(true, 3);
      case QWEN2 -> new GptSplitter(true, 1);
      default -> null;
    };
  }

  static GptSplitter gpt2() {
    return new GptSplitter(false, Integer.MAX_VALUE);
  }

  @Override
  public void findMatches(String text, IntList out) {
    int i = 0;
    int n = text.length();
    while (i < n) {
      int end = llamaStyle ? matchLlama(text, i) : matchGpt2(text, i);
      out.add(i);
      out.add(end);
      i = end;
    }
  }

  /** {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+} */
  private int matchLlama(String s, int i) {
    int n = s.length();
    int cp = s.codePointAt(i);
    int cls = classOf(cp);
    int next = i + Character.charCount(cp);
    if (cp == '\'') {
      int len = contraction(s, next, true);
      if (len > 0) {
        return next + len;
      }
    }
    if (cls == LETTER) {
      return skip(s, next, LETTER, Integer.MAX_VALUE);
    }
    if (cp != '\r' && cp != '\n' && cls != NUMBER && next < n && classAt(s, next) == LETTER) {
      return skip(s, next, LETTER, Integer.MAX_VALUE);
    }
    if (cls == NUMBER) {
      return skip(s, next, NUMBER, maxDigits - 1);
    }
    int j = cp == ' ' && next < n && classAt(s, next) == OTHER ? next : i;
    if (classAt(s, j) == OTHER) {
      j = skip(s, j, OTHER, Integer.MAX_VALUE);
      while (j < n && (s.charAt(j) == '\r' || s.charAt(j) == '\n')) {
        j++;
      }
      return j;
    }
    // cp is whitespace: \s*[\r\n]+ ends after the last CR/LF of the run
    int wsEnd = skip(s, next, SPACE, Integer.MAX_VALUE);
    for (int k = wsEnd - 1; k >= i; k--) {
      char c = s.charAt(k);
      if (c == '\r' || c == '\n') {
        return k + 1;
      }
    }
    return trailingWhitespace(i, wsEnd, n);
  }

  /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} */
  private int matchGpt2(String s, int i) {
    int n = s.length();
    int cp = s.codePointAt(i);
    int next = i + Character.charCount(cp);
    if (cp == '\'') {
      int len = contraction(s, next, false);
      if (len > 0) {
        return next + len;
      }
    }
    int j = cp == ' ' && next < n && classAt(s, next) != SPACE ? next : i;
    int cls = classAt(s, j);
    if (cls != SPACE) {
      return skip(s, j, cls, Integer.MAX_VALUE);
    }
    int wsEnd = skip(s, next, SPACE, Integer.MAX_VALUE);
    return trailingWhitespace(i, wsEnd, n);
  }

  /** {@code \s+(?!\S)|\s+} for the whitespace run [from, wsEnd): leaves the last one to the next word. */
  private static int trailingWhitespace(int from, int wsEnd, int n) {
    if (wsEnd == n || wsEnd - from < 2) {
      return wsEnd;
    }
    return wsEnd - 1; // whitespace code points are all in the BMP
  }

  /** Skips code points of class {@code cls} starting at {@code i}, at most {@code max} of them. */
  private static int skip(String s, int i, int cls, int max) {
    int n = s.length();
    int count = 0;
    while (i < n && count < max) {
      int cp = s.codePointAt(i);
      if (classOf(cp) != cls) {
        break;
      }
      i += Character.charCount(cp);
      count++;
    }
    return i;
  }

  /** Length of the contraction suffix ({@code s t re ve m ll d}) at {@code i}, or 0. */
  private static int contraction(String s, int i, boolean ignoreCase) {
    int n = s.length();
    if (i >= n) {
      return 0;
    }
    char a = fold(s.charAt(i), ignoreCase);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') {
      return 1;
    }
    if (i + 1 >= n) {
      return 0;
    }
    char b = fold(s.charAt(i + 1), ignoreCase);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
      return 2;
    }
    return 0;
  }

  private static char fold(char c, boolean ignoreCase) {
    if (!ignoreCase) {
      return c;
    }
    if (c == '\u017F') {
      return 's';
    }
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }

  private static int classAt(String s, int i) {
    return classOf(s.codePointAt(i));
  }

  private static int classOf(int cp) {
    return cp < 128 ? ASCII_CLASS[cp] : classOfSlow(cp);
  }

  private static int classOfSlow(int cp) {
    if (Normalizers.isRustWhitespace(cp)) {
      return SPACE;
    }
    return switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
      case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
      default -> OTHER;
    };
  }
}
