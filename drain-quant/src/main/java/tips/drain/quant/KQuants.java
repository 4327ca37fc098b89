package tips.drain.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The K-quant super-blocks of 256 weights (ggml's {@code block_q4_K}, {@code block_q5_K}, {@code block_q6_K}):
 * their layouts, dequantization exactly as ggml's {@code dequantize_row_*}, the reference dot products with
 * {@link Q8KActivations} (integer sums scaled once per super-block) and the unpacking both share.
 *
 * <ul>
 *   <li>Q4_K, 144 bytes: F16 {@code d}, F16 {@code dmin}, 12 bytes of eight 6-bit scales and eight 6-bit
 *       minimums (one pair per 32 weights), 128 bytes of nibbles: bytes {@code 32c .. 32c + 31} hold weights
 *       {@code 64c .. 64c + 31} in their low nibbles and the next 32 in their high nibbles. Weight =
 *       {@code (d · scale) · q - (dmin · min)}.
 *   <li>Q5_K, 176 bytes: as Q4_K, with 32 bytes of fifth bits before the nibbles: bit {@code j} of byte
 *       {@code l} is the fifth bit of weight {@code 32j + l}.
 *   <li>Q6_K, 210 bytes: 128 bytes of low nibbles, 64 bytes of high two bits, sixteen int8 scales (one per 16
 *       weights), F16 {@code d}. Weight = {@code (d · scale) · (q - 32)}.
 * </ul>
 */
final class KQuants {
  static final int QK = 256;
  static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED;

  private KQuants() {}

  /** ggml's {@code nearest_int}: round half to even through the float {@code 1.5 · 2²³} (for |x| < 2²²). */
  static int nearestInt(float x) {
    float v = x + 12582912f;
    return (Float.floatToRawIntBits(v) & 0x007FFFFF) - 0x00400000;
  }

  static float f16(MemorySegment w, long o) {
    return Float.float16ToFloat(w.get(F16, o));
  }

  static int u8(MemorySegment w, long o) {
    return w.get(ValueLayout.JAVA_BYTE, o) & 0xFF;
  }

  /**
   * ggml's {@code get_scale_min_k4}: the 6-bit scale (low byte of the result) and minimum (second byte) of
   * sub-block {@code j} (0..7) from the 12 scale bytes at {@code w[o]}.
   */
  static int scaleMin(MemorySegment w, long o, int j) {
    if (j < 4) {
      return (u8(w, o + j) & 63) | (u8(w, o + j + 4) & 63) << 8;
    }
    int scale = (u8(w, o + j + 4) & 0xF) | ((u8(w, o + j - 4) >>> 6) << 4);
    int min = (u8(w, o + j + 4) >>> 4) | ((u8(w, o + j) >>> 6) << 4);
    return scale | min << 8;
  }

  /** Value {@code i} (0..255) of the Q4_K / Q5_K super-block at {@code o}, without its scale: 0..15 or 0..31. */
  static int q45(MemorySegment w, long o, boolean fifthBit, int i) {
    int j = i / 32;
    long qs = o + (fifthBit ? 48 : 16);
    int nibble = (u8(w, qs + 32 * (j / 2) + i % 32) >>> (4 * (j % 2))) & 0xF;
    return fifthBit ? nibble | ((u8(w, o + 16 + i % 32) >>> j) & 1) << 4 : nibble;
  }

  /** Value {@code i} (0..255) of the Q6_K super-block at {@code o}, unsigned (0..63; the weight is {@code q - 32}). */
  static int q6(MemorySegment w, long o, int i) {
    int half = i / 128;
    int quarter = i % 128 / 32;
    int l = i % 32;
    int low = (u8(w, o + 64 * half + l + 32 * (quarter % 2)) >>> (4 * (quarter / 2))) & 0xF;
    int high = (u8(w, o + 128 + 32 * half + l) >>> (2 * quarter)) & 3;
    return low | high << 4;
  }

  /** Scale {@code g} (0..15) of the Q6_K super-block at {@code o}, signed. */
  static int q6Scale(MemorySegment w, long o, int g) {
    return w.get(ValueLayout.JAVA_BYTE, o + 192 + g);
  }

  /** {@code dequantize_row_q4_K} / {@code _q5_K} of one super-block: {@code (d · scale) · q - (dmin · min)}. */
  static void dequantize45(MemorySegment w, long o, boolean fifthBit, float[] dst, int dstOffset) {
    float d = f16(w, o);
    float dmin = f16(w, o + 2);
    for (int j = 0; j < 8; j++) {
      int sm = scaleMin(w, o + 4, j);
      float scale = d * (sm & 0xFF);
      float min = dmin * (sm >>> 8);
      for (int l = 0; l < 32; l++) {
        dst[dstOffset + 32 * j + l] = scale * q45(w, o, fifthBit, 32 * j + l) - min;
      }
    }
  }

  /** {@code dequantize_row_q6_K} of one super-block: {@code (d · scale) · (q - 32)}. */
  static void dequantize6(MemorySegment w, long o, float[] dst, int dstOffset) {
    float d = f16(w, o + 208);
    for (int i = 0; i < QK; i++) {
      dst[dstOffset + i] = d * q6Scale(w, o, i / 16) * (q6(w, o, i) - 32);
    }
  }

  /**
   * The Q4_K / Q5_K super-block at {@code o} dotted with super-block {@code block} of {@code x}: the scaled
   * integer sum {@code Σ scale_j Σ q·x} and the minimums' {@code Σ min_j · bsums}, each exact, then
   * {@code (d · dx) · sum - (dmin · dx) · mins} as ggml's {@code vec_dot_q4_K_q8_K}.
   */
  static float dot45(MemorySegment w, long o, boolean fifthBit, Q8KActivations x, int block) {
    short[] v = x.values();
    int[] bsums = x.bsums();
    int base = block * QK;
    int sum = 0;
    int mins = 0;
    for (int j = 0; j < 8; j++) {
      int sm = scaleMin(w, o + 4, j);
      int s = 0;
      for (int l = 0; l < 32; l++) {
        s += q45(w, o, fifthBit, 32 * j + l) * v[base + 32 * j + l];
      }
      sum += (sm & 0xFF) * s;
      mins += (sm >>> 8) * (bsums[block * 16 + 2 * j] + bsums[block * 16 + 2 * j + 1]);
    }
    float dx = x.scales()[block];
    return f16(w, o) * dx * sum - f16(w, o + 2) * dx * mins;
  }

  /** The Q6_K super-block at {@code o} dotted with super-block {@code block} of {@code x}: {@code (d · dx) · Σ scale_g Σ (q - 32)·x}. */
  static float dot6(MemorySegment w, long o, Q8KActivations x, int block) {
    short[] v = x.values();
    int base = block * QK;
    int sum = 0;
    for (int g = 0; g < 16; g++) {
      int s = 0;
      for (int l = 0; l < 16; l++) {
        s += (q6(w, o, 16 * g + l) - 32) * v[base + 16 * g + l];
      }
      sum += q6Scale(w, o, g) * s;
    }
    return f16(w, o + 208) * x.scales()[block] * sum;
  }
}
