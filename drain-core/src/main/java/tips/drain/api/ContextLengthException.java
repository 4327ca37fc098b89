package tips.drain.api;

import tips.drain.DrainException;

/** A prompt (with what the session already holds) does not fit the session's context. */
public class ContextLengthException extends DrainException {
  public ContextLengthException(String message) {
    super(message);
  }
}
