package tips.drain.template.jinja;

/**
 * What one render may use. Chat templates come with downloaded models, so a template that loops (almost)
 * forever, recurses without end or builds gigabytes of text is stopped with a {@link JinjaException} naming the
 * limit, long before it could hang or exhaust the heap. The limits are far above what real chat templates need:
 * a long conversation renders in thousands of steps and kilobytes.
 */
final class Limits {
  /** Statements executed plus expressions evaluated in one render. */
  static final long MAX_STEPS = 5_000_000;

  /** Characters of any string a template builds, the rendered text included (4 Mi, about a million tokens). */
  static final int MAX_CHARS = 4 << 20;

  /** Items of any list a template builds. */
  static final int MAX_ITEMS = 1 << 20;

  /** Nested macro calls. */
  static final int MAX_CALL_DEPTH = 100;

  /** Nested blocks and expressions in the source (parentheses, unary operators, if/for blocks). */
  static final int MAX_NESTING = 200;

  private Limits() {}
}
