package tips.drain.hub;

import java.util.regex.Pattern;

/**
 * A shell pattern matched against a whole repository path the way huggingface_hub's {@code allow_patterns}
 * match ({@code fnmatch}): {@code *} any run of characters ({@code /} included), {@code ?} one character,
 * {@code [abc]} / {@code [!abc]} a class; a pattern ending in {@code /} matches everything below that folder.
 */
record Glob(String pattern, Pattern regex) {
  static Glob of(String pattern) {
    String p = pattern.endsWith("/") ? pattern + "*" : pattern;
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        case '[' -> {
          int end = p.indexOf(']', i + 2);
          if (end < 0) {
            re.append("\\[");
          } else {
            String body = p.substring(i + 1, end);
            boolean negated = body.startsWith("!");
            re.append('[').append(negated ? "^" : "").append(body.substring(negated ? 1 : 0).replace("\\", "\\\\")
                .replace("[", "\\[")).append(']');
            i = end;
          }
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new Glob(pattern, Pattern.compile(re.toString(), Pattern.DOTALL));
  }

  boolean matches(String path) {
    return regex.matcher(path).matches();
  }
}
