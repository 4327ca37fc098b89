package tips.drain.tokenizer;

import java.util.List;

/**
 * A {@code decoder} of tokenizer.json: turns token strings back into text. Like Hugging Face's
 * {@code decode_chain}, each step maps a list of strings to a list of strings; the results are concatenated.
 */
@FunctionalInterface
interface Decoder {
  List<String> decodeChain(List<String> tokens);
}
