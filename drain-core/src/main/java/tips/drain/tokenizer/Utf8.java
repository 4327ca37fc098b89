package tips.drain.tokenizer;

/** UTF-8 and UTF-16 repairs done the way Rust does them, so that results match Hugging Face byte for byte. */
final class Utf8 {
  private Utf8() {}

  static final char REPLACEMENT = '\uFFFD';

  /**
   * Decodes UTF-8 like Rust's {@code String::from_utf8_lossy}: each maximal invalid subsequence becomes one
   * U+FFFD.
   */
  static String decodeLossy(byte[] bytes, int length) {
    StringBuilder sb = new StringBuilder(length);
    int i = 0;
    while (i < length) {
      int b0 = bytes[i] & 0xFF;
      if (b0 < 0x80) {
        sb.append((char) b0);
        i++;
        continue;
      }
      int width;
      int lo = 0x80;
      int hi = 0xBF;
      if (b0 >= 0xC2 && b0 <= 0xDF) {
        width = 2;
      } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        width = 3;
        if (b0 == 0xE0) {
          lo = 0xA0;
        } else if (b0 == 0xED) {
          hi = 0x9F;
        }
      } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        width = 4;
        if (b0 == 0xF0) {
          lo = 0x90;
        } else if (b0 == 0xF4) {
          hi = 0x8F;
        }
      } else {
        sb.append(REPLACEMENT);
        i++;
        continue;
      }
      int cp = b0 & (0xFF >> (width + 1));
      int j = 1;
      boolean ok = true;
      for (; j < width; j++) {
        if (i + j >= length) {
          ok = false;
          break;
        }
        int b = bytes[i + j] & 0xFF;
        boolean inRange = j == 1 ? b >= lo && b <= hi : b >= 0x80 && b <= 0xBF;
        if (!inRange) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (b & 0x3F);
      }
      if (ok) {
        sb.appendCodePoint(cp);
      } else {
        sb.append(REPLACEMENT);
      }
      i += j;
    }
    return sb.toString();
  }

  /**
   * Replaces every lone surrogate by U+FFFD, as converting to a Rust {@code String} would; returns
   * {@code text} itself when it is well formed.
   */
  static String replaceLoneSurrogates(String text) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        i += 2;
      } else if (Character.isSurrogate(c)) {
        break;
      } else {
        i++;
      }
    }
    if (i == n) {
      return text;
    }
    StringBuilder sb = new StringBuilder(n).append(text, 0, i);
    while (i < n) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        sb.append(c).append(text.charAt(i + 1));
        i += 2;
      } else {
        sb.append(Character.isSurrogate(c) ? REPLACEMENT : c);
        i++;
      }
    }
    return sb.toString();
  }
}
