package tips.drain.template.jinja;

import tips.drain.DrainException;

/** A template that cannot be parsed or rendered; the message names the template, the line and what failed. */
public class JinjaException extends DrainException {
  private final int line;

  public JinjaException(String templateName, int line, String message) {
    super(templateName + " line " + line + ": " + message);
    this.line = line;
  }

  /** The 1-based template line the error comes from. */
  public int line() {
    return line;
  }
}
