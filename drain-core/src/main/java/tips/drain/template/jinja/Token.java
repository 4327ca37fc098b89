package tips.drain.template.jinja;

/** One lexical token of a template: literal text, a tag delimiter, or a piece of an expression. */
record Token(Type type, String text, int line) {

  enum Type {
    TEXT,
    VARIABLE_BEGIN,
    VARIABLE_END,
    BLOCK_BEGIN,
    BLOCK_END,
    NAME,
    STRING,
    INTEGER,
    FLOAT,
    OPERATOR,
    EOF
  }

  boolean is(Type t, String s) {
    return type == t && text.equals(s);
  }

  boolean isOperator(String s) {
    return is(Type.OPERATOR, s);
  }

  boolean isName(String s) {
    return is(Type.NAME, s);
  }

  @Override
  public String toString() {
    return switch (type) {
      case EOF -> "end of template";
      case TEXT -> "text";
      case STRING -> "string '" + text + "'";
      default -> "'" + text + "'";
    };
  }
}
