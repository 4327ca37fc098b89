package tips.drain.hub;

import java.nio.charset.StandardCharsets;

/** Percent-encoding of URL path parts (RFC 3986 unreserved characters kept), as huggingface_hub quotes them. */
final class Urls {
  private Urls() {}

  /** One path segment: everything but unreserved characters encoded, {@code /} included (a revision like {@code refs/pr/1}). */
  static String segment(String s) {
    return encode(s, false);
  }

  /** A file path: segments encoded, {@code /} kept. */
  static String path(String s) {
    return encode(s, true);
  }

  private static String encode(String s, boolean keepSlash) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || (keepSlash && c == '/');
      if (unreserved) {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }
}
