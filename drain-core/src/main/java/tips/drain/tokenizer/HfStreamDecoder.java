package tips.drain.tokenizer;

import java.util.Arrays;

/**
 * Streaming decode as Hugging Face's {@code DecodeStream} does it: decode a short window of recent ids, and
 * emit what the window adds beyond the text of its older ids, unless that text ends in U+FFFD (a character
 * still incomplete). Decoders that look at neighbouring tokens (byte fallback, byte-level, strip of the first
 * space) therefore give the same text as a full decode.
 */
final class HfStreamDecoder implements StreamDecoder {
  private final Tokenizer tokenizer;
  private final boolean skipSpecialTokens;
  private int[] ids = new int[0];
  /** The decoded text of ids[0 .. prefixIndex). */
  private String prefix = "";
  private int prefixIndex;

  HfStreamDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
    this.tokenizer = tokenizer;
    this.skipSpecialTokens = skipSpecialTokens;
  }

  @Override
  public String next(int id) {
    ids = Arrays.copyOf(ids, ids.length + 1);
    ids[ids.length - 1] = id;
    String text = tokenizer.decode(ids, skipSpecialTokens);
    if (text.length() <= prefix.length() || text.endsWith("\uFFFD") || !text.startsWith(prefix)) {
      return "";
    }
    String piece = text.substring(prefix.length());
    // Keep the ids after the old prefix as context for the next window.
    ids = Arrays.copyOfRange(ids, prefixIndex, ids.length);
    prefix = tokenizer.decode(ids, skipSpecialTokens);
    prefixIndex = ids.length;
    return piece;
  }

  @Override
  public String flush() {
    String text = tokenizer.decode(ids, skipSpecialTokens);
    String rest = text.startsWith(prefix) ? text.substring(prefix.length()) : text;
    ids = new int[0];
    prefix = "";
    prefixIndex = 0;
    return rest;
  }
}
