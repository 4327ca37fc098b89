package tips.drain.tokenizer;

/**
 * The {@code model} of tokenizer.json: turns one pre-tokenized word into ids. {@link BpeModel} (BPE) and
 * {@link WordPieceModel} (WordPiece) implement it.
 */
interface TokenModel {

  /** Appends the ids of {@code word} to {@code out}. */
  void tokenize(String word, IntList out);

  /** Number of ids of the model's own vocabulary (0 .. size-1, with possible holes). */
  int size();

  /** The token string of {@code id}, or null. */
  String idToToken(int id);

  /** The id of {@code token}, or -1. */
  int tokenToId(String token);
}
