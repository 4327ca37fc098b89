package tips.drain.io;

import tips.drain.DrainException;

/** A file is malformed or truncated: the message names the file (and tensor) and what was wrong. */
public class FormatException extends DrainException {
  public FormatException(String message) {
    super(message);
  }

  public FormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
