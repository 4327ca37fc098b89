package tips.drain.api;

/** What an {@link EmbeddingModel} does with a text longer than its {@code max_seq_length}. */
public enum OverLength {
  /** Refuse it: {@link TextTooLongException} naming its token count (the default: nothing is dropped silently). */
  FAIL,
  /** Keep its first tokens, as sentence-transformers does. */
  TRUNCATE
}
