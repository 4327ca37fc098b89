package tips.drain.template.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into tokens the way Jinja2's lexer does with the settings transformers uses for chat
 * templates: {@code trim_blocks} (the first newline after a block or comment tag is dropped),
 * {@code lstrip_blocks} (spaces and tabs before a block or comment tag at the start of a line are dropped),
 * {@code -} / {@code +} whitespace control on tags, newlines normalized to {@code \n}, one trailing newline
 * removed, {@code {% raw %}} blocks kept verbatim.
 */
final class Lexer {
  private final String name;
  private final String src;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;
  private int line = 1;
  private boolean lineStarting = true;

  private Lexer(String name, String source) {
    this.name = name;
    String s = source.replace("\r\n", "\n").replace('\r', '\n');
    this.src = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  static List<Token> tokenize(String name, String source) {
    Lexer lexer = new Lexer(name, source);
    lexer.run();
    return lexer.tokens;
  }

  private void run() {
    int n = src.length();
    while (pos < n) {
      int start = nextTagStart(pos);
      if (start < 0) {
        text(src.substring(pos), pos);
        pos = n;
        break;
      }
      char kind = src.charAt(start + 1);
      char modifier = start + 2 < n ? src.charAt(start + 2) : 0;
      String text = src.substring(pos, start);
      if (modifier == '-') {
        text = Py.rstrip(text);
      } else if (modifier != '+' && kind != '{') {
        int lineStart = text.lastIndexOf('\n') + 1;
        if ((lineStart > 0 || lineStarting) && lineStart < text.length() && isBlank(text, lineStart)) {
          text = text.substring(0, lineStart);
        }
      }
      text(text, pos);
      line += count(src, pos, start);
      pos = start + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
      switch (kind) {
        case '#' -> comment(start);
        case '{' -> tag(Token.Type.VARIABLE_BEGIN, Token.Type.VARIABLE_END, "}}", start);
        default -> {
          if (!raw(start)) {
            tag(Token.Type.BLOCK_BEGIN, Token.Type.BLOCK_END, "%}", start);
          }
        }
      }
    }
    tokens.add(new Token(Token.Type.EOF, "", line));
  }

  private int nextTagStart(int from) {
    int i = src.indexOf('{', from);
    while (i >= 0 && i + 1 < src.length()) {
      char c = src.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
      i = src.indexOf('{', i + 1);
    }
    return -1;
  }

  private void text(String text, int at) {
    if (!text.isEmpty()) {
      tokens.add(new Token(Token.Type.TEXT, text, line));
    }
  }

  private void comment(int start) {
    int end = src.indexOf("#}", pos);
    if (end < 0) {
      throw new JinjaException(name, line, "comment not closed (missing '#}')");
    }
    boolean strip = end > pos && src.charAt(end - 1) == '-';
    boolean keep = end > pos && src.charAt(end - 1) == '+';
    line += count(src, pos, end);
    pos = end + 2;
    afterTagEnd(strip, !keep);
  }

  /** Handles {@code {% raw %}...{% endraw %}}; false if the block tag is not "raw". */
  private boolean raw(int start) {
    int i = skipSpaces(pos);
    if (!src.startsWith("raw", i) || (i + 3 < src.length() && Character.isLetterOrDigit(src.charAt(i + 3)))) {
      return false;
    }
    int j = skipSpaces(i + 3);
    boolean strip = src.startsWith("-%}", j);
    if (!strip && !src.startsWith("%}", j)) {
      return false;
    }
    int bodyStart = j + (strip ? 3 : 2);
    if (strip) {
      bodyStart = skipWhitespace(bodyStart);
    }
    int k = bodyStart;
    while (true) {
      k = src.indexOf("{%", k);
      if (k < 0) {
        throw new JinjaException(name, line, "{% raw %} not closed (missing {% endraw %})");
      }
      int m = k + 2;
      char mod = m < src.length() ? src.charAt(m) : 0;
      if (mod == '-' || mod == '+') {
        m++;
      }
      m = skipSpaces(m);
      if (src.startsWith("endraw", m)) {
        int e = skipSpaces(m + 6);
        char endMod = src.charAt(e);
        int close = endMod == '-' || endMod == '+' ? e + 1 : e;
        if (src.startsWith("%}", close)) {
          String body = src.substring(bodyStart, k);
          if (mod == '-') {
            body = Py.rstrip(body);
          }
          text(body, bodyStart);
          line += count(src, pos, close + 2);
          pos = close + 2;
          afterTagEnd(endMod == '-', endMod != '+');
          return true;
        }
      }
      k += 2;
    }
  }

  private void tag(Token.Type begin, Token.Type end, String close, int start) {
    tokens.add(new Token(begin, src.substring(start, pos), line));
    int depth = 0;
    int n = src.length();
    while (true) {
      while (pos < n && (src.charAt(pos) == ' ' || src.charAt(pos) == '\t' || src.charAt(pos) == '\n')) {
        if (src.charAt(pos) == '\n') {
          line++;
        }
        pos++;
      }
      if (pos >= n) {
        throw new JinjaException(name, line, "tag not closed (missing '" + close + "')");
      }
      if (depth == 0) {
        boolean minus = src.startsWith("-" + close, pos);
        boolean plus = begin == Token.Type.BLOCK_BEGIN && src.startsWith("+" + close, pos);
        if (minus || plus || src.startsWith(close, pos)) {
          pos += close.length() + (minus || plus ? 1 : 0);
          tokens.add(new Token(end, close, line));
          afterTagEnd(minus, begin == Token.Type.BLOCK_BEGIN && !plus);
          return;
        }
      }
      char c = src.charAt(pos);
      if (Character.isLetter(c) || c == '_') {
        int s = pos;
        while (pos < n && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
          pos++;
        }
        tokens.add(new Token(Token.Type.NAME, src.substring(s, pos), line));
      } else if (Character.isDigit(c)) {
        number();
      } else if (c == '\'' || c == '"') {
        string(c);
      } else {
        String op = operator();
        if (op.equals("(") || op.equals("[") || op.equals("{")) {
          depth++;
        } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
          depth--;
          if (depth < 0) {
            throw new JinjaException(name, line, "unexpected '" + op + "'");
          }
        }
        tokens.add(new Token(Token.Type.OPERATOR, op, line));
      }
    }
  }

  /** After a tag: "-" strips all following whitespace; trim_blocks drops one newline after a block tag. */
  private void afterTagEnd(boolean strip, boolean trimNewline) {
    int before = pos;
    if (strip) {
      pos = skipWhitespace(pos);
    } else if (trimNewline && pos < src.length() && src.charAt(pos) == '\n') {
      pos++;
    }
    line += count(src, before, pos);
    lineStarting = pos > 0 && src.charAt(pos - 1) == '\n' && pos > before;
  }

  private static final String[] OPERATORS = {"**", "//", "==", "!=", ">=", "<=", "+", "-", "*", "/", "%", "~", "<",
      ">", "=", ".", ",", ":", "|", "(", ")", "[", "]", "{", "}"};

  private String operator() {
    for (String op : OPERATORS) {
      if (src.startsWith(op, pos)) {
        pos += op.length();
        return op;
      }
    }
    throw new JinjaException(name, line, "unexpected character '" + src.charAt(pos) + "'");
  }

  private void number() {
    int s = pos;
    int n = src.length();
    while (pos < n && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
      pos++;
    }
    boolean isFloat = false;
    if (pos + 1 < n && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
      isFloat = true;
      pos++;
      while (pos < n && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
        pos++;
      }
    }
    if (pos < n && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
      int e = pos + 1;
      if (e < n && (src.charAt(e) == '+' || src.charAt(e) == '-')) {
        e++;
      }
      if (e < n && Character.isDigit(src.charAt(e))) {
        isFloat = true;
        pos = e;
        while (pos < n && Character.isDigit(src.charAt(pos))) {
          pos++;
        }
      }
    }
    String text = src.substring(s, pos).replace("_", "");
    tokens.add(new Token(isFloat ? Token.Type.FLOAT : Token.Type.INTEGER, text, line));
  }

  /** A quoted string with Python escapes ({@code \n \t \\ \' \" \xhh \\uXXXX}...). */
  private void string(char quote) {
    int startLine = line;
    StringBuilder sb = new StringBuilder();
    pos++;
    int n = src.length();
    while (true) {
      if (pos >= n) {
        throw new JinjaException(name, startLine, "string not closed");
      }
      char c = src.charAt(pos++);
      if (c == quote) {
        break;
      }
      if (c == '\n') {
        line++;
      }
      if (c != '\\' || pos >= n) {
        sb.append(c);
        continue;
      }
      char e = src.charAt(pos++);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'v' -> sb.append('\u000B');
        case 'a' -> sb.append('\u0007');
        case '0' -> sb.append('\0');
        case '\\', '\'', '"' -> sb.append(e);
        case '\n' -> line++;
        case 'x' -> sb.appendCodePoint(hex(2));
        case 'u' -> sb.appendCodePoint(hex(4));
        case 'U' -> sb.appendCodePoint(hex(8));
        default -> sb.append('\\').append(e);
      }
    }
    tokens.add(new Token(Token.Type.STRING, sb.toString(), startLine));
  }

  private int hex(int digits) {
    if (pos + digits > src.length()) {
      throw new JinjaException(name, line, "truncated escape in string");
    }
    String text = src.substring(pos, pos + digits);
    long v = 0;
    for (int i = 0; i < digits; i++) {
      int d = Character.digit(text.charAt(i), 16);
      if (d < 0) {
        throw new JinjaException(name, line, "bad escape in string: " + text);
      }
      v = v * 16 + d;
    }
    if (v > Character.MAX_CODE_POINT) {
      throw new JinjaException(name, line, "escape \\U" + text + " is beyond the last Unicode code point");
    }
    pos += digits;
    return (int) v;
  }

  private int skipSpaces(int i) {
    while (i < src.length() && (src.charAt(i) == ' ' || src.charAt(i) == '\t' || src.charAt(i) == '\n')) {
      i++;
    }
    return i;
  }

  private int skipWhitespace(int i) {
    while (i < src.length() && Py.isSpace(src.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isBlank(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      if (!Py.isSpace(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static int count(String s, int from, int to) {
    int c = 0;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == '\n') {
        c++;
      }
    }
    return c;
  }
}
