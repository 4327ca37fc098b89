package tips.drain.tokenizer;

import java.nio.file.Path;

/** Placeholder until the tokenizer.json pipeline lands: refuses to load. */
final class HfTokenizer {
  private HfTokenizer() {}

  static Tokenizer load(Path modelDir) {
    throw new TokenizerException(modelDir.resolve("tokenizer.json") + ": tokenizer not implemented yet");
  }
}
