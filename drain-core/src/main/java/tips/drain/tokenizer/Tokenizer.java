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

  /**
   * The tokenizer stored in a GGUF file's metadata ({@code tokenizer.ggml.*}, {@code tokenizer.chat_template}).
   *
   * @param file the file, for messages
   * @throws TokenizerException if the file has no tokenizer or one of a kind DRAIN does not support
   */
  static Tokenizer fromGguf(tips.drain.io.GgufMetadata metadata, Path file) {
    return GgufTokenizer.load(metadata, file);
  }

  /**
   * Loads the tokenizer of {@code path}: a model directory's tokenizer.json, or a GGUF file's metadata.
   */
  static Tokenizer open(Path path) {
    if (java.nio.file.Files.isRegularFile(path) && tips.drain.io.GgufShards.isGguf(path)) {
      try (tips.drain.io.GgufFile f = tips.drain.io.GgufFile.open(path)) {
        return fromGguf(f.metadata(), path);
      }
    }
    return load(path);
  }

  /**
   * Encodes {@code text}; with {@code addSpecialTokens} the post-processor adds BOS/EOS as configured. Special
   * tokens written in the text ({@code "<|im_start|>"}) are always recognised. Lone surrogates in the text are
   * read as U+FFFD.
   */
  int[] encode(String text, boolean addSpecialTokens);

  /** Decodes ids to text; with {@code skipSpecialTokens} special tokens are left out. Unknown ids are ignored. */
  String decode(int[] ids, boolean skipSpecialTokens);

  /**
   * Decodes like Python transformers' {@code tokenizer.decode}: {@link #decode(int[], boolean)}, then, if
   * {@code cleanUpTokenizationSpaces}, {@link #cleanUpTokenizationSpaces(String)}. Pass
   * {@code config().cleanUpTokenizationSpaces()} to do what the model's tokenizer_config.json asks.
   */
  default String decode(int[] ids, boolean skipSpecialTokens, boolean cleanUpTokenizationSpaces) {
    String text = decode(ids, skipSpecialTokens);
    return cleanUpTokenizationSpaces ? cleanUpTokenizationSpaces(text) : text;
  }

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

  /** What tokenizer_config.json says (special tokens, chat templates); {@link TokenizerConfig#EMPTY} if absent. */
  TokenizerConfig config();

  /** The id of tokenizer_config.json's {@code bos_token}, or -1. */
  default int bosId() {
    String bos = config().bosToken();
    return bos == null ? -1 : tokenToId(bos);
  }

  /** The id of tokenizer_config.json's {@code eos_token} (for chat models, the end-of-turn marker), or -1. */
  default int eosId() {
    String eos = config().eosToken();
    return eos == null ? -1 : tokenToId(eos);
  }

  /**
   * transformers' {@code clean_up_tokenization}: removes the space before {@code . ? ! ,} and English
   * contractions ({@code " 's"} → {@code "'s"}, {@code " n't"} → {@code "n't"}...).
   */
  static String cleanUpTokenizationSpaces(String text) {
    return text.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re");
  }
}
