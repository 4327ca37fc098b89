package tips.drain.tokenizer;

/**
 * An entry of tokenizer.json's {@code added_tokens}: text matched in the input before the model runs.
 *
 * @param id the token id
 * @param content the text of the token
 * @param special a special token (BOS, EOS, chat markers): left out by decoding with skipSpecialTokens
 * @param singleWord only matched when not inside a word
 * @param lstrip also takes the whitespace on its left
 * @param rstrip also takes the whitespace on its right
 * @param normalized matched in the normalized text rather than the raw input
 */
record AddedToken(int id, String content, boolean special, boolean singleWord, boolean lstrip, boolean rstrip,
    boolean normalized) {}
