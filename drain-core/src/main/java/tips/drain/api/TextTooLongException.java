package tips.drain.api;

import tips.drain.DrainException;

/** A text has more tokens than the embedding model takes, and truncation was not asked for. */
public class TextTooLongException extends DrainException {
  private final int index;
  private final int tokens;
  private final int limit;

  public TextTooLongException(String message, int index, int tokens, int limit) {
    super(message);
    this.index = index;
    this.tokens = tokens;
    this.limit = limit;
  }

  /** Which text of the call (from 0). */
  public int index() {
    return index;
  }

  /** Its tokens, special tokens included. */
  public int tokens() {
    return tokens;
  }

  /** The most the model takes. */
  public int limit() {
    return limit;
  }
}
