package tips.drain.tokenizer;

/**
 * Turns ids arriving one at a time into text pieces: each call returns the text that is complete so far
 * (possibly empty, when a UTF-8 character is split across byte-fallback tokens), so that concatenating every
 * piece and {@link #flush()} gives the same text as decoding all ids at once.
 */
public interface StreamDecoder {

  /** Adds one id and returns the newly completed text (possibly empty). */
  String next(int id);

  /** Returns whatever is left (e.g. an incomplete character as U+FFFD) and resets. */
  String flush();
}
