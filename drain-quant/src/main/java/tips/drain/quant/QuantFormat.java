package tips.drain.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Optional;

/**
 * The block-quantized weight formats, one row each, like ggml's {@code type_traits}: block size, bytes per
 * block, the reference quantize / dequantize of one block, and the form activations take before they are
 * dotted with it ({@link ActivationFormat}: Q8_0 / Q8_1 blocks of 32 for the 32-weight formats, Q8_K
 * super-blocks of 256 for the K-quants), so that the inner loops are integer multiply-adds. A new format is a
 * new row here; the kernels serve it through the reference dot products ({@link ScalarQuantKernels}) until an
 * optimized loop is written for it.
 *
 * <p>Blocks run along the input dimension (a row of a {@code rows × cols} matrix is {@code cols / blockSize}
 * blocks, stored one after another) and are byte-for-byte the ggml layouts, so results are comparable with
 * llama.cpp and GGUF tensors can be read without conversion. Quantization rounds as ggml's
 * {@code quantize_row_*_ref} does (what {@code llama-quantize} runs without an importance matrix), and
 * dequantization computes what ggml's {@code dequantize_row_*} does, bit for bit.
 */
public enum QuantFormat {

  /** 32 weights: an F16 scale {@code d = amax / 127}, then 32 int8 {@code q = round(x / d)}; value {@code q·d}. */
  Q8_0(32, 2 + 32, ActivationFormat.Q8_0) {
    @Override
    public void quantizeBlock(float[] src, int srcOffset, MemorySegment dst, long dstOffset) {
      float amax = 0f;
      for (int j = 0; j < 32; j++) {
        amax = Math.max(amax, Math.abs(src[srcOffset + j]));
      }
      float d = amax / 127f;
      float id = d != 0f ? 1f / d : 0f;
      dst.set(F16, dstOffset, Float.floatToFloat16(d));
      for (int j = 0; j < 32; j++) {
        dst.set(ValueLayout.JAVA_BYTE, dstOffset + 2 + j, (byte) roundHalfAwayFromZero(src[srcOffset + j] * id));
      }
    }

    @Override
    public float unpackBlock(MemorySegment src, long offset, byte[] q) {
      MemorySegment.copy(src, ValueLayout.JAVA_BYTE, offset + 2, q, 0, 32);
      return Float.float16ToFloat(src.get(F16, offset));
    }
  },

  /**
   * 32 weights: an F16 scale {@code d = max / -8} (max = the element of largest magnitude, with its sign),
   * then 16 bytes of 4-bit {@code q = min(15, trunc(x / d + 8.5))}: low nibbles hold elements 0..15, high
   * nibbles 16..31; value {@code (q - 8)·d}.
   */
  Q4_0(32, 2 + 16, ActivationFormat.Q8_0) {
    @Override
    public void quantizeBlock(float[] src, int srcOffset, MemorySegment dst, long dstOffset) {
      float amax = 0f;
      float max = 0f;
      for (int j = 0; j < 32; j++) {
        float v = src[srcOffset + j];
        if (amax < Math.abs(v)) {
          amax = Math.abs(v);
          max = v;
        }
      }
      float d = max / -8f;
      float id = d != 0f ? 1f / d : 0f;
      dst.set(F16, dstOffset, Float.floatToFloat16(d));
      for (int j = 0; j < 16; j++) {
        // (int) truncates like C's (int8_t) cast; x·id + 8.5 is never below 0.5 here
        int lo = Math.min(15, (int) (src[srcOffset + j] * id + 8.5f));
        int hi = Math.min(15, (int) (src[srcOffset + 16 + j] * id + 8.5f));
        dst.set(ValueLayout.JAVA_BYTE, dstOffset + 2 + j, (byte) (lo | (hi << 4)));
      }
    }

    @Override
    public float unpackBlock(MemorySegment src, long offset, byte[] q) {
      for (int j = 0; j < 16; j++) {
        int b = src.get(ValueLayout.JAVA_BYTE, offset + 2 + j);
        q[j] = (byte) ((b & 0x0F) - 8);
        q[j + 16] = (byte) (((b >> 4) & 0x0F) - 8);
      }
      return Float.float16ToFloat(src.get(F16, offset));
    }
  },

  /**
   * 32 weights: F16 {@code d = (max - min) / 15} and F16 {@code m = min}, then 16 bytes of 4-bit
   * {@code q = min(15, trunc((x - min) / d + 0.5))} (low nibbles elements 0..15); value {@code q·d + m}.
   * Dotted with Q8_1 (the minimum through the activations' {@code s}).
   */
  Q4_1(32, 2 + 2 + 16, ActivationFormat.Q8_0) {
    @Override
    public void quantizeBlock(float[] src, int srcOffset, MemorySegment dst, long dstOffset) {
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (int j = 0; j < 32; j++) {
        min = Math.min(min, src[srcOffset + j]);
        max = Math.max(max, src[srcOffset + j]);
      }
      float d = (max - min) / 15;
      float id = d != 0f ? 1f / d : 0f;
      dst.set(F16, dstOffset, Float.floatToFloat16(d));
      dst.set(F16, dstOffset + 2, Float.floatToFloat16(min));
      for (int j = 0; j < 16; j++) {
        int lo = Math.min(15, (int) ((src[srcOffset + j] - min) * id + 0.5f));
        int hi = Math.min(15, (int) ((src[srcOffset + 16 + j] - min) * id + 0.5f));
        dst.set(ValueLayout.JAVA_BYTE, dstOffset + 4 + j, (byte) (lo | (hi << 4)));
      }
    }

    @Override
    public float unpackBlock(MemorySegment src, long offset, byte[] q) {
      for (int j = 0; j < 16; j++) {
        int b = src.get(ValueLayout.JAVA_BYTE, offset + 4 + j);
        q[j] = (byte) (b & 0x0F);
        q[j + 16] = (byte) ((b >> 4) & 0x0F);
      }
      return Float.float16ToFloat(src.get(F16, offset));
    }

    @Override
    public float minOf(MemorySegment src, long offset) {
      return Float.float16ToFloat(src.get(F16, offset + 2));
    }
  },

  /**
   * 32 weights: F16 {@code d = max / -16} (max with its sign), 4 bytes of fifth bits (bit {@code j} of the
   * little-endian int for element {@code j}), 16 bytes of low nibbles as Q4_0;
   * {@code q = min(31, trunc(x / d + 16.5))}, value {@code (q - 16)·d}.
   */
  Q5_0(32, 2 + 4 + 16, ActivationFormat.Q8_0) {
    @Override
    public void quantizeBlock(float[] src, int srcOffset, MemorySegment dst, long dstOffset) {
      float amax = 0f;
      float max = 0f;
      for (int j = 0; j < 32; j++) {
        float v = src[srcOffset + j];
        if (amax < Math.abs(v)) {
          amax = Math.abs(v);
          max = v;
        }
      }
      float d = max / -16f;
      float id = d != 0f ? 1f / d : 0f;
      dst.set(F16, dstOffset, Float.floatToFloat16(d));
      int qh = 0;
      for (int j = 0; j < 16; j++) {
        int lo = Math.min(31, (int) (src[srcOffset + j] * id + 16.5f));
        int hi = Math.min(31, (int) (src[srcOffset + 16 + j] * id + 16.5f));
        dst.set(ValueLayout.JAVA_BYTE, dstOffset + 6 + j, (byte) ((lo & 0x0F) | ((hi & 0x0F) << 4)));
        qh |= ((lo >> 4) & 1) << j | ((hi >> 4) & 1) << (j + 16);
      }
      dst.set(U32, dstOffset + 2, qh);
    }

    @Override
    public float unpackBlock(MemorySegment src, long offset, byte[] q) {
      unpackFiveBits(src, offset + 2, offset + 6, q, 16);
      return Float.float16ToFloat(src.get(F16, offset));
    }
  },

  /**
   * 32 weights: F16 {@code d = (max - min) / 31} and F16 {@code m = min}, 4 bytes of fifth bits and 16 of
   * low nibbles as Q5_0; {@code q = trunc((x - min) / d + 0.5)}, value {@code q·d + m}. Dotted with Q8_1.
   */
  Q5_1(32, 2 + 2 + 4 + 16, ActivationFormat.Q8_0) {
    @Override
    public void quantizeBlock(float[] src, int srcOffset, MemorySegment dst, long dstOffset) {
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (int j = 0; j < 32; j++) {
        min = Math.min(min, src[srcOffset + j]);
        max = Math.max(max, src[srcOffset + j]);
      }
      float d = (max - min) / 31;
      float id = d != 0f ? 1f / d : 0f;
      dst.set(F16, dstOffset, Float.floatToFloat16(d));
      dst.set(F16, dstOffset + 2, Float.floatToFloat16(min));
      int qh = 0;
      for (int j = 0; j < 16; j++) {
        int lo = (int) ((src[srcOffset + j] - min) * id + 0.5f) & 0xFF;
        int hi = (int) ((src[srcOffset + 16 + j] - min) * id + 0.5f) & 0xFF;
        dst.set(ValueLayout.JAVA_BYTE, dstOffset + 8 + j, (byte) ((lo & 0x0F) | ((hi & 0x0F) << 4)));
        qh |= ((lo >> 4) & 1) << j | ((hi >> 4) & 1) << (j + 16);
      }
      dst.set(U32, dstOffset + 4, qh);
    }

    @Override
    public float unpackBlock(MemorySegment src, long offset, byte[] q) {
      unpackFiveBits(src, offset + 4, offset + 8, q, 0);
      return Float.float16ToFloat(src.get(F16, offset));
    }

    @Override
    public float minOf(MemorySegment src, long offset) {
      return Float.float16ToFloat(src.get(F16, offset + 2));
    }
  },

  /** Super-blocks of 256 weights, 4.5 bits each: eight sub-blocks of 32 with 6-bit scales and minimums ({@link KQuants}). */
  Q4_K(256, 144, ActivationFormat.Q8_K) {
    @Override
    public void quantizeBlock(float[] src, int srcOffset, MemorySegment dst, long dstOffset) {
      KQuantizer.quantize45(src, srcOffset, dst, dstOffset, false);
    }

    @Override
    public void dequantizeBlock(MemorySegment src, long offset, float[] dst, int dstOffset) {
      KQuants.dequantize45(src, offset, false, dst, dstOffset);
    }
  },

  /** Super-blocks of 256 weights, 5.5 bits each: Q4_K with a fifth bit per weight ({@link KQuants}). */
  Q5_K(256, 176, ActivationFormat.Q8_K) {
    @Override
    public void quantizeBlock(float[] src, int srcOffset, MemorySegment dst, long dstOffset) {
      KQuantizer.quantize45(src, srcOffset, dst, dstOffset, true);
    }

    @Override
    public void dequantizeBlock(MemorySegment src, long offset, float[] dst, int dstOffset) {
      KQuants.dequantize45(src, offset, true, dst, dstOffset);
    }
  },

  /** Super-blocks of 256 weights, 6.5625 bits each: sixteen groups of 16 with int8 scales, no minimum ({@link KQuants}). */
  Q6_K(256, 210, ActivationFormat.Q8_K) {
    @Override
    public void quantizeBlock(float[] src, int srcOffset, MemorySegment dst, long dstOffset) {
      KQuantizer.quantize6(src, srcOffset, dst, dstOffset);
    }

    @Override
    public void dequantizeBlock(MemorySegment src, long offset, float[] dst, int dstOffset) {
      KQuants.dequantize6(src, offset, dst, dstOffset);
    }
  },

  /**
   * MXFP4 (the OCP microscaling FP4 of GPT-OSS's experts), in ggml's {@code block_mxfp4} layout: 32 weights, an
   * E8M0 scale byte {@code e} (the power of two {@code 2^(e-127)}), then 16 bytes of 4-bit E2M1 codes, low nibbles
   * elements 0..15, high nibbles 16..31. E2M1 codes 0..7 are 0, 0.5, 1, 1.5, 2, 3, 4, 6 and 8..15 their negatives;
   * they are held doubled as integers ({@link #E2M1_DOUBLED}), so the block's scale is {@code 2^(e-128)}.
   * Quantization picks {@code e = floor(log2(amax)) - 2 + 127} and the nearest code of each value, as ggml's
   * {@code quantize_row_mxfp4_ref}. Hugging Face checkpoints store the codes two per byte in element order with
   * the scales apart; {@code tips.drain.model.gptoss.Mxfp4Repack} repacks them.
   */
  MXFP4(32, 1 + 16, ActivationFormat.Q8_0) {
    @Override
    public void quantizeBlock(float[] src, int srcOffset, MemorySegment dst, long dstOffset) {
      float amax = 0f;
      for (int j = 0; j < 32; j++) {
        amax = Math.max(amax, Math.abs(src[srcOffset + j]));
      }
      // floor(log2(amax)) is the float exponent of amax
      int e = amax > 0f ? Math.max(0, Math.min(254, Math.getExponent(amax) - 2 + 127)) : 0;
      float d = e8m0Half(e);
      dst.set(ValueLayout.JAVA_BYTE, dstOffset, (byte) e);
      for (int j = 0; j < 16; j++) {
        int lo = nearestE2M1(src[srcOffset + j], d);
        int hi = nearestE2M1(src[srcOffset + 16 + j], d);
        dst.set(ValueLayout.JAVA_BYTE, dstOffset + 1 + j, (byte) (lo | (hi << 4)));
      }
    }

    @Override
    public float unpackBlock(MemorySegment src, long offset, byte[] q) {
      for (int j = 0; j < 16; j++) {
        int b = src.get(ValueLayout.JAVA_BYTE, offset + 1 + j);
        q[j] = E2M1_DOUBLED[b & 0x0F];
        q[j + 16] = E2M1_DOUBLED[(b >> 4) & 0x0F];
      }
      return e8m0Half(src.get(ValueLayout.JAVA_BYTE, offset) & 0xFF);
    }
  };

  /** The E2M1 values of the 16 FP4 codes, doubled to integers (ggml's {@code kvalues_mxfp4}). */
  static final byte[] E2M1_DOUBLED = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

  /** Half the E8M0 scale {@code 2^(e-127)}: the factor of the doubled codes (ggml's {@code GGML_E8M0_TO_FP32_HALF}). */
  static float e8m0Half(int e) {
    return Math.scalb(1f, e - 128);
  }

  /** The code whose value {@code E2M1_DOUBLED[i]·d} is nearest to {@code x}, the lowest code on a tie. */
  static int nearestE2M1(float x, float d) {
    int best = 0;
    float bestErr = Math.abs(E2M1_DOUBLED[0] * d - x);
    for (int i = 1; i < 16; i++) {
      float err = Math.abs(E2M1_DOUBLED[i] * d - x);
      if (err < bestErr) {
        best = i;
        bestErr = err;
      }
    }
    return best;
  }

  static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED;
  private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;

  private final int blockSize;
  private final int blockBytes;
  private final ActivationFormat activationFormat;

  QuantFormat(int blockSize, int blockBytes, ActivationFormat activationFormat) {
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
    this.activationFormat = activationFormat;
  }

  /** Weights per block, along the input dimension. */
  public int blockSize() {
    return blockSize;
  }

  /** Bytes one block takes: the scale and the packed values. */
  public int blockBytes() {
    return blockBytes;
  }

  /** The form activations are quantized to before they are dotted with weights of this format (ggml's {@code vec_dot_type}). */
  public ActivationFormat activationFormat() {
    return activationFormat;
  }

  /** True if a row of {@code cols} weights is a whole number of blocks (and not empty). */
  public boolean supports(int cols) {
    return cols > 0 && cols % blockSize == 0;
  }

  /** Bytes of one stored row of {@code cols} weights; requires {@link #supports}. */
  public long rowBytes(int cols) {
    return (long) (cols / blockSize) * blockBytes;
  }

  /** Bytes of a {@code rows × cols} matrix; requires {@link #supports}. */
  public long byteSize(int rows, int cols) {
    return rows * rowBytes(cols);
  }

  /** Quantizes {@code src[srcOffset .. srcOffset + blockSize)} into one block at {@code dst[dstOffset]}. */
  public abstract void quantizeBlock(float[] src, int srcOffset, MemorySegment dst, long dstOffset);

  /**
   * The integer values of the 32-weight block at {@code src[offset]} into {@code q[0 .. 32)} and its scale as
   * the result: element {@code j} is {@code q[j] * scale + minOf(block)}. The reference kernels dot through
   * this; the K-quants' super-blocks have scales per sub-block and are dotted by {@link KQuants}.
   *
   * @throws UnsupportedOperationException for the K-quants
   */
  public float unpackBlock(MemorySegment src, long offset, byte[] q) {
    throw new UnsupportedOperationException(this + " has sub-block scales: see KQuants");
  }

  /** The minimum added to every weight of the block at {@code src[offset]}: Q4_1's and Q5_1's {@code m}, else 0. */
  public float minOf(MemorySegment src, long offset) {
    return 0f;
  }

  /** Dequantizes the block at {@code src[offset]} into {@code dst[dstOffset .. dstOffset + blockSize)}, as ggml does. */
  public void dequantizeBlock(MemorySegment src, long offset, float[] dst, int dstOffset) {
    dequantizeBlock(src, offset, dst, dstOffset, new byte[blockSize]);
  }

  /** {@link #dequantizeBlock} of a 32-weight block through {@link #unpackBlock}, {@code q} its scratch. */
  private void dequantizeBlock(MemorySegment src, long offset, float[] dst, int dstOffset, byte[] q) {
    float d = unpackBlock(src, offset, q);
    if (this == Q4_1 || this == Q5_1) {
      float m = minOf(src, offset);
      for (int j = 0; j < blockSize; j++) {
        dst[dstOffset + j] = q[j] * d + m;
      }
    } else {
      for (int j = 0; j < blockSize; j++) {
        dst[dstOffset + j] = q[j] * d;
      }
    }
  }

  /** Quantizes {@code n} floats (a whole number of blocks) from {@code src[srcOffset]} to {@code dst[dstOffset]}. */
  public void quantizeRow(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
    for (int b = 0; b < n / blockSize; b++) {
      quantizeBlock(src, srcOffset + b * blockSize, dst, dstOffset + (long) b * blockBytes);
    }
  }

  /** Dequantizes {@code n} values (a whole number of blocks) from {@code src[offset]} into {@code dst[dstOffset]}. */
  public void dequantizeRow(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
    byte[] q = activationFormat == ActivationFormat.Q8_K ? null : new byte[blockSize];
    for (int b = 0; b < n / blockSize; b++) {
      if (q == null) {
        dequantizeBlock(src, offset + (long) b * blockBytes, dst, dstOffset + b * blockSize);
      } else {
        dequantizeBlock(src, offset + (long) b * blockBytes, dst, dstOffset + b * blockSize, q);
      }
    }
  }

  /** The format named {@code name}, case-insensitive ({@code "q4_0"} or {@code "Q4_0"}). */
  public static Optional<QuantFormat> byName(String name) {
    for (QuantFormat f : values()) {
      if (f.name().equals(name.toUpperCase(Locale.ROOT))) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /**
   * Q5_0's and Q5_1's values: low nibbles from the 16 bytes at {@code nibbles}, fifth bits from the little-endian
   * int at {@code bits}, minus {@code offset}.
   */
  static void unpackFiveBits(MemorySegment src, long bits, long nibbles, byte[] q, int offset) {
    int qh = src.get(U32, bits);
    for (int j = 0; j < 16; j++) {
      int b = src.get(ValueLayout.JAVA_BYTE, nibbles + j);
      q[j] = (byte) (((b & 0x0F) | ((qh >>> j) & 1) << 4) - offset);
      q[j + 16] = (byte) ((((b >> 4) & 0x0F) | ((qh >>> (j + 16)) & 1) << 4) - offset);
    }
  }

  /** C's {@code roundf}: to nearest, halfway cases away from zero (Java's {@code Math.round} goes up). */
  static int roundHalfAwayFromZero(float x) {
    int r = Math.round(Math.abs(x));
    return x < 0 ? -r : r;
  }
}
