package tips.drain.tokenizer;

import java.nio.file.Path;

/**
 * Text ↔ token ids, exactly as the Hugging Face {@code tokenizers} library does for the model's
 * {@code tokenizer.json}. Immutable and thread-safe.
 */
public interface Tokenizer {

  /**
   * Loads {@code tokenizer.json} (and {@code tokenizer_config.json} when present) from a model directory.
   *
   * @throws TokenizerException if a file is missing or malformed, or uses a component DRAIN does not support
   */
  static Tokenizer load(Path modelDir) {
    return HfTokenizer.load(modelDir);
  }

  /** Encodes {@code text}; with {@code addSpecialTokens} the post-processor adds BOS/EOS as configured. */
  int[] encode(String text, boolean addSpecialTokens);

  /** Decodes ids to text; with {@code skipSpecialTokens} special tokens are left out. */
  String decode(int[] ids, boolean skipSpecialTokens);

  /** A decoder for ids arriving one at a time that never emits a broken multi-byte character. */
  StreamDecoder streamDecoder(boolean skipSpecialTokens);

  /** Size of the vocabulary, added tokens included (ids are {@code 0 .. vocabSize()-1}). */
  int vocabSize();

  /** The token string of {@code id} (as in tokenizer.json), or null if there is none. */
  String idToToken(int id);

  /** The id of token string {@code token}, or -1. */
  int tokenToId(String token);

  /** True if {@code id} is a special added token (BOS, EOS, chat markers...). */
  boolean isSpecial(int id);
}
