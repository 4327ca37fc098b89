package tips.drain;

/**
 * Base of every error DRAIN reports: a malformed file, a bad config, a missing tensor, an unsupported
 * architecture, a prompt longer than the context. Its message names the file, tensor or field and what
 * was expected, so it can be shown to a user as it is.
 */
public class DrainException extends RuntimeException {
  public DrainException(String message) {
    super(message);
  }

  public DrainException(String message, Throwable cause) {
    super(message, cause);
  }
}
