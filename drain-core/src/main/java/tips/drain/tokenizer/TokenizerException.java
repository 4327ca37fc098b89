package tips.drain.tokenizer;

import tips.drain.DrainException;

/** A tokenizer file is missing, malformed, or uses a component that is not supported. */
public class TokenizerException extends DrainException {
  public TokenizerException(String message) {
    super(message);
  }

  public TokenizerException(String message, Throwable cause) {
    super(message, cause);
  }
}
