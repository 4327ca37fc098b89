package tips.drain.tokenizer;

/** A {@code pre_tokenizer} of tokenizer.json: splits normalized text into the words the model encodes. */
interface PreTokenizer {

  /** Receives the words, in order; never an empty one. */
  @FunctionalInterface
  interface Sink {
    /**
     * @param word the text of the word
     * @param atStart true if the word begins at the very start of the input (Metaspace's "first" scheme needs it)
     */
    void accept(String word, boolean atStart);
  }

  /** Splits {@code text} (never empty) and hands each word to {@code out}. */
  void preTokenize(String text, boolean atStart, Sink out);
}
