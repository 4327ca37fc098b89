package tips.drain.template.jinja;

/**
 * A missing variable, attribute or item, like Jinja2's default {@code Undefined}: prints as nothing, is false,
 * iterates as empty, has length 0; any other use (attribute access, arithmetic) is an error naming it.
 */
record Undefined(String name) {
  @Override
  public String toString() {
    return "";
  }
}
