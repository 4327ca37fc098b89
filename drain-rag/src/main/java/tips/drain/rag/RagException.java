package tips.drain.rag;

import tips.drain.DrainException;

/** An index that cannot be opened, read or written; the message names the directory or file and what is wrong. */
public class RagException extends DrainException {
  public RagException(String message) {
    super(message);
  }

  public RagException(String message, Throwable cause) {
    super(message, cause);
  }
}
