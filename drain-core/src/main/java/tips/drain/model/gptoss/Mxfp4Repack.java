package tips.drain.model.gptoss;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GPT-OSS's MXFP4 experts from the Hugging Face layout into the MXFP4 blocks of DRAIN's format table (ggml's
 * {@code block_mxfp4}, 17 bytes per 32 weights: the E8M0 scale byte, then 16 bytes of 4-bit codes with elements
 * 0..15 in the low nibbles and 16..31 in the high ones). The checkpoint stores {@code *_blocks} ({@code rows ×
 * cols/32 × 16} bytes, two codes per byte in element order, the low nibble first) and {@code *_scales}
 * ({@code rows × cols/32} E8M0 bytes) apart; the codes and scales are the same numbers in both layouts.
 */
public final class Mxfp4Repack {
  /** Bytes of one MXFP4 block of 32 weights. */
  public static final int BLOCK_BYTES = 17;

  private Mxfp4Repack() {}

  /**
   * Rows {@code rows[i]} of a checkpoint's blocks and scales (whose first row starts at byte {@code blocksOffset} and
   * {@code scalesOffset}) into row {@code i} of {@code dst}, {@code cols / 32} blocks per row.
   */
  public static void fromHf(MemorySegment blocks, long blocksOffset, MemorySegment scales, long scalesOffset, int[] rows,
      int cols, MemorySegment dst) {
    int perRow = cols / 32;
    byte[] codes = new byte[32];
    for (int i = 0; i < rows.length; i++) {
      for (int k = 0; k < perRow; k++) {
        long block = (long) rows[i] * perRow + k;
        for (int j = 0; j < 16; j++) {
          int b = blocks.get(ValueLayout.JAVA_BYTE, blocksOffset + block * 16 + j);
          codes[2 * j] = (byte) (b & 0x0F);
          codes[2 * j + 1] = (byte) ((b >> 4) & 0x0F);
        }
        long out = ((long) i * perRow + k) * BLOCK_BYTES;
        dst.set(ValueLayout.JAVA_BYTE, out, scales.get(ValueLayout.JAVA_BYTE, scalesOffset + block));
        for (int j = 0; j < 16; j++) {
          dst.set(ValueLayout.JAVA_BYTE, out + 1 + j, (byte) (codes[j] | (codes[j + 16] << 4)));
        }
      }
    }
  }
}
