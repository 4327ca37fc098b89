package tips.drain.model;

import tips.drain.DrainException;

/** The model's architecture, or one of its config options, is not supported: never run it wrong. */
public class UnsupportedArchitectureException extends DrainException {
  public UnsupportedArchitectureException(String message) {
    super(message);
  }
}
