package tips.drain.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-unicode table: every byte maps to one printable character, so byte-level BPE
 * vocabularies can be stored as text ({@code ' '} becomes {@code 'Ġ'}, {@code '\n'} becomes {@code 'Ċ'}).
 */
final class ByteLevel {
  private ByteLevel() {}

  /** BYTE_TO_CHAR[b] is the character that stands for byte {@code b}. */
  private static final char[] BYTE_TO_CHAR = new char[256];
  /** CHAR_TO_BYTE[c] is the byte for character {@code c}, or -1 (covers chars below 0x200). */
  private static final int[] CHAR_TO_BYTE = new int[0x200];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int n = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = printable ? (char) b : (char) (256 + n++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  /** Maps the UTF-8 bytes of {@code text} to their byte-level characters. */
  static String encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    }
    return new String(out);
  }

  /** The byte a byte-level character stands for, or -1 if it is not one. */
  static int byteOf(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /**
   * Appends the bytes of a byte-level token to {@code out}. A token with any character outside the table
   * contributes its own UTF-8 bytes instead (as Hugging Face does for added tokens).
   */
  static void appendBytes(String token, ByteArrayOutputStream out) {
    for (int i = 0; i < token.length(); i++) {
      if (byteOf(token.charAt(i)) < 0) {
        out.writeBytes(token.getBytes(StandardCharsets.UTF_8));
        return;
      }
    }
    for (int i = 0; i < token.length(); i++) {
      out.write(byteOf(token.charAt(i)));
    }
  }
}
