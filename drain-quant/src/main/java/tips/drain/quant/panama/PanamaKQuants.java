package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.B;
import static tips.drain.quant.panama.PanamaQuantSpecies.F;
import static tips.drain.quant.panama.PanamaQuantSpecies.I;
import static tips.drain.quant.panama.PanamaQuantSpecies.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import tips.drain.quant.Q8KActivations;

/**
 * Q4_K, Q5_K and Q6_K weights × Q8_K activations, and their rows to floats (layouts: {@code KQuants}).
 *
 * <p><b>Products.</b> Per sub-block (32 weights for Q4_K / Q5_K, groups of 16 for Q6_K) the 4-, 5- or 6-bit
 * values are unpacked into 16-bit lanes, unsigned, and multiplied with the activations' (16-bit) int8 values;
 * adjacent products are summed into 32-bit lanes (a pair is at most 2·63·127, which fits 16 bits), multiplied
 * by the sub-block's integer scale and added up, exactly, over the super-block. One conversion and one float
 * multiply-add by {@code d · dx} per super-block follow. The minimums (Q4_K, Q5_K) and Q6_K's {@code -32} are
 * not applied per weight: {@code Σ min_j Σ x} and {@code 32 Σ scale_g Σ x} come from the activations' group
 * sums ({@code bsums}), in scalar integers, once per super-block.
 *
 * <p><b>Rows to floats</b> (prefill's tiles): 16 bytes at a time, widened to ints in {@code 16 / I.length()}
 * parts, each value {@code (d · scale) · q - (dmin · min)} in the order of the scalar formula, so the floats are
 * ggml's bit for bit.
 */
final class PanamaKQuants {
  static final int Q4K_BYTES = 144;
  static final int Q5K_BYTES = 176;
  static final int Q6K_BYTES = 210;
  private static final int QK = 256;
  /** Short lanes per vector; a sub-block of 32 weights takes {@link #STEPS} of them. */
  private static final int L = S.length();
  private static final int STEPS = 32 / L;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED;
  private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  /** Int vectors that 16 bytes widen to. */
  private static final int PARTS = 16 / I.length();
  /**
   * Pair lane {@code i} of a vector of Q6_K values starting at value {@code at} covers values {@code at + 2i} and
   * {@code at + 2i + 1}, of group {@code at / 16 + i / 8}: lanes from 8 on (only at 512 bits) take the next
   * group's scale.
   */
  private static final boolean TWO_GROUPS = I.length() > 8;
  private static final VectorMask<Integer> NEXT_GROUP = VectorMask.fromLong(I, TWO_GROUPS ? 0xFF00L : 0L);

  private PanamaKQuants() {}

  /** Decode: {@code out[r] = W[r, :] · x₀} for Q4_K ({@code five} false) or Q5_K rows. */
  static void matvec45(MemorySegment w, int cols, boolean five, Q8KActivations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / QK;
    long rowBytes = (long) blocks * (five ? Q5K_BYTES : Q4K_BYTES);
    for (int r = rowFrom; r < rowTo; r++) {
      out[r] = dot45(w, r * rowBytes, blocks, five, x, 0);
    }
  }

  /** Prefill of a small batch (the tiled F32 path takes larger ones): every vector of {@code x}, row by row. */
  static void matmul45(MemorySegment w, int rows, int cols, boolean five, Q8KActivations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / QK;
    long rowBytes = (long) blocks * (five ? Q5K_BYTES : Q4K_BYTES);
    for (int b = 0; b < x.batch(); b++) {
      for (int r = rowFrom; r < rowTo; r++) {
        out[b * rows + r] = dot45(w, r * rowBytes, blocks, five, x, b);
      }
    }
  }

  static void matvec6(MemorySegment w, int cols, Q8KActivations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / QK;
    long rowBytes = (long) blocks * Q6K_BYTES;
    for (int r = rowFrom; r < rowTo; r++) {
      out[r] = dot6(w, r * rowBytes, blocks, x, 0);
    }
  }

  static void matmul6(MemorySegment w, int rows, int cols, Q8KActivations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / QK;
    long rowBytes = (long) blocks * Q6K_BYTES;
    for (int b = 0; b < x.batch(); b++) {
      for (int r = rowFrom; r < rowTo; r++) {
        out[b * rows + r] = dot6(w, r * rowBytes, blocks, x, b);
      }
    }
  }

  /** One Q4_K / Q5_K row at byte {@code row} dotted with activation vector {@code b}. */
  static float dot45(MemorySegment w, long row, int blocks, boolean five, Q8KActivations x, int b) {
    short[] values = x.values();
    float[] dx = x.scales();
    int[] bsums = x.bsums();
    int blockBytes = five ? Q5K_BYTES : Q4K_BYTES;
    int nibbles = five ? 48 : 16;
    FloatVector acc = FloatVector.zero(F);
    float minSum = 0f;
    for (int k = 0; k < blocks; k++) {
      long o = row + (long) k * blockBytes;
      int block = b * blocks + k;
      int xi = block * QK;
      IntVector sum = IntVector.zero(I);
      long scales = scales(w, o + 4);
      long minima = minima(w, o + 4);
      int mins = 0;
      for (int j = 0; j < 8; j++) {
        mins += ((int) (minima >>> (8 * j)) & 0xFF) * (bsums[16 * block + 2 * j] + bsums[16 * block + 2 * j + 1]);
      }
      // 32 bytes of nibbles per pass: sub-block 2c in their low nibbles, 2c + 1 in their high ones
      for (int c = 0; c < 4; c++) {
        long qs = o + nibbles + 32 * c;
        IntVector low = IntVector.zero(I);
        IntVector high = IntVector.zero(I);
        for (int p = 0; p < STEPS; p++) {
          ShortVector bytes = widen(w, qs + (long) p * L);
          ShortVector lo = bytes.and((short) 0xF);
          ShortVector hi = bytes.lanewise(VectorOperators.LSHR, 4);
          if (five) {
            ShortVector bits = widen(w, o + 16 + (long) p * L);
            lo = lo.or(bits.lanewise(VectorOperators.LSHR, 2 * c).and((short) 1).lanewise(VectorOperators.LSHL, 4));
            hi = hi.or(bits.lanewise(VectorOperators.LSHR, 2 * c + 1).and((short) 1).lanewise(VectorOperators.LSHL, 4));
          }
          int at = xi + 64 * c + p * L;
          low = low.add(pairSums(lo, ShortVector.fromArray(S, values, at)));
          high = high.add(pairSums(hi, ShortVector.fromArray(S, values, at + 32)));
        }
        sum = sum.add(low.mul((int) (scales >>> (16 * c)) & 0xFF)).add(high.mul((int) (scales >>> (16 * c + 8)) & 0xFF));
      }
      float d = dx[block];
      acc = ((FloatVector) sum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f16(w, o) * d), acc);
      minSum += f16(w, o + 2) * d * mins;
    }
    return PanamaQuantLaneSums.sum(acc) - minSum;
  }

  /** One Q6_K row at byte {@code row} dotted with activation vector {@code b}. */
  static float dot6(MemorySegment w, long row, int blocks, Q8KActivations x, int b) {
    short[] values = x.values();
    float[] dx = x.scales();
    int[] bsums = x.bsums();
    FloatVector acc = FloatVector.zero(F);
    float offsets = 0f;
    for (int k = 0; k < blocks; k++) {
      long o = row + (long) k * Q6K_BYTES;
      int block = b * blocks + k;
      int xi = block * QK;
      int offset = 0;
      for (int g = 0; g < 16; g++) {
        offset += w.get(ValueLayout.JAVA_BYTE, o + 192 + g) * bsums[16 * block + g];
      }
      IntVector sum = IntVector.zero(I);
      for (int half = 0; half < 2; half++) {
        for (int quarter = 0; quarter < 4; quarter++) {
          long low = o + 64 * half + 32 * (quarter % 2);
          long high = o + 128 + 32 * half;
          for (int p = 0; p < STEPS; p++) {
            ShortVector lows = widen(w, low + (long) p * L);
            ShortVector q = (quarter < 2 ? lows.and((short) 0xF) : lows.lanewise(VectorOperators.LSHR, 4))
                .or(widen(w, high + (long) p * L).lanewise(VectorOperators.LSHR, 2 * quarter).and((short) 3).lanewise(VectorOperators.LSHL, 4));
            int at = 128 * half + 32 * quarter + p * L;
            IntVector pairs = pairSums(q, ShortVector.fromArray(S, values, xi + at));
            IntVector scale = IntVector.broadcast(I, w.get(ValueLayout.JAVA_BYTE, o + 192 + at / 16));
            if (TWO_GROUPS) {
              scale = scale.blend(IntVector.broadcast(I, w.get(ValueLayout.JAVA_BYTE, o + 193 + at / 16)), NEXT_GROUP);
            }
            sum = sum.add(pairs.mul(scale));
          }
        }
      }
      float dd = f16(w, o + 208) * dx[block];
      acc = ((FloatVector) sum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, dd), acc);
      offsets += dd * (32 * offset);
    }
    return PanamaQuantLaneSums.sum(acc) - offsets;
  }

  /** Rows {@code [rowFrom, rowTo)} of Q4_K / Q5_K weights as floats, row after row from byte 0 of {@code dst}. */
  static void dequantize45(MemorySegment w, int cols, boolean five, int rowFrom, int rowTo, MemorySegment dst) {
    int blocks = cols / QK;
    int blockBytes = five ? Q5K_BYTES : Q4K_BYTES;
    int nibbles = five ? 48 : 16;
    for (int r = rowFrom; r < rowTo; r++) {
      long to = (long) (r - rowFrom) * cols * Float.BYTES;
      for (int k = 0; k < blocks; k++) {
        long o = ((long) r * blocks + k) * blockBytes;
        float d = f16(w, o);
        float dmin = f16(w, o + 2);
        for (int c = 0; c < 4; c++) {
          int lowScale = scaleMin(w, o + 4, 2 * c);
          int highScale = scaleMin(w, o + 4, 2 * c + 1);
          FloatVector d1 = FloatVector.broadcast(F, d * (lowScale & 0xFF));
          FloatVector m1 = FloatVector.broadcast(F, dmin * (lowScale >>> 8));
          FloatVector d2 = FloatVector.broadcast(F, d * (highScale & 0xFF));
          FloatVector m2 = FloatVector.broadcast(F, dmin * (highScale >>> 8));
          long out = to + 4L * (QK * k + 64 * c);
          for (int h = 0; h < 2; h++) {
            ByteVector bytes = ByteVector.fromMemorySegment(B16, w, o + nibbles + 32 * c + 16 * h, LE);
            ByteVector fifth = five ? ByteVector.fromMemorySegment(B16, w, o + 16 + 16 * h, LE) : null;
            for (int p = 0; p < PARTS; p++) {
              IntVector v = (IntVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
              IntVector lo = v.and(0xF);
              IntVector hi = v.lanewise(VectorOperators.LSHR, 4);
              if (five) {
                IntVector bits = (IntVector) fifth.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                lo = lo.or(bits.lanewise(VectorOperators.LSHR, 2 * c).and(1).lanewise(VectorOperators.LSHL, 4));
                hi = hi.or(bits.lanewise(VectorOperators.LSHR, 2 * c + 1).and(1).lanewise(VectorOperators.LSHL, 4));
              }
              long at = 4L * (16 * h + p * I.length());
              ((FloatVector) lo.convert(VectorOperators.I2F, 0)).mul(d1).sub(m1).intoMemorySegment(dst, out + at, LE);
              ((FloatVector) hi.convert(VectorOperators.I2F, 0)).mul(d2).sub(m2).intoMemorySegment(dst, out + 128 + at, LE);
            }
          }
        }
      }
    }
  }

  /** Rows {@code [rowFrom, rowTo)} of Q6_K weights as floats, row after row from byte 0 of {@code dst}. */
  static void dequantize6(MemorySegment w, int cols, int rowFrom, int rowTo, MemorySegment dst) {
    int blocks = cols / QK;
    for (int r = rowFrom; r < rowTo; r++) {
      long to = (long) (r - rowFrom) * cols * Float.BYTES;
      for (int k = 0; k < blocks; k++) {
        long o = ((long) r * blocks + k) * Q6K_BYTES;
        float d = f16(w, o + 208);
        for (int half = 0; half < 2; half++) {
          for (int h = 0; h < 2; h++) {
            ByteVector lowA = ByteVector.fromMemorySegment(B16, w, o + 64 * half + 16 * h, LE);
            ByteVector lowB = ByteVector.fromMemorySegment(B16, w, o + 64 * half + 32 + 16 * h, LE);
            ByteVector high = ByteVector.fromMemorySegment(B16, w, o + 128 + 32 * half + 16 * h, LE);
            for (int quarter = 0; quarter < 4; quarter++) {
              int at = 128 * half + 32 * quarter + 16 * h;
              FloatVector scale = FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, o + 192 + at / 16));
              ByteVector lows = quarter % 2 == 0 ? lowA : lowB;
              for (int p = 0; p < PARTS; p++) {
                IntVector l = (IntVector) lows.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                l = quarter < 2 ? l.and(0xF) : l.lanewise(VectorOperators.LSHR, 4);
                IntVector hb = (IntVector) high.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector q = l.or(hb.lanewise(VectorOperators.LSHR, 2 * quarter).and(3).lanewise(VectorOperators.LSHL, 4)).sub(32);
                ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(scale)
                    .intoMemorySegment(dst, to + 4L * (QK * k + at + p * I.length()), LE);
              }
            }
          }
        }
      }
    }
  }

  /** {@link S}-many bytes at {@code o}, zero-extended to shorts. */
  private static ShortVector widen(MemorySegment w, long o) {
    return (ShortVector) ByteVector.fromMemorySegment(B, w, o, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
  }

  /** The products {@code q · x} in 16-bit lanes, adjacent pairs summed into 32-bit lanes (as {@code PanamaQ8.multiplyAdd}). */
  private static IntVector pairSums(ShortVector q, ShortVector x) {
    IntVector p = q.mul(x).reinterpretAsInts();
    return p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
  }

  /**
   * The eight 6-bit scales of the 12 scale bytes at {@code w[o]}, one per byte of the result (sub-block
   * {@code j} in byte {@code j}): bytes 0..3 hold scales 0..3 in their low six bits and the top two bits of
   * scales 4..7; bytes 8..11 the low four bits of scales 4..7 in their low nibbles.
   */
  private static long scales(MemorySegment w, long o) {
    long low = w.get(U32, o) & 0xFFFF_FFFFL;
    long high = w.get(U32, o + 8) & 0xFFFF_FFFFL;
    long first = low & 0x3F3F3F3FL;
    long second = (high & 0x0F0F0F0FL) | ((low >>> 6) & 0x03030303L) << 4;
    return first | second << 32;
  }

  /** The eight 6-bit minimums, as {@link #scales}: bytes 4..7 hold minimums 0..3 and the top bits of 4..7, bytes 8..11 their high nibbles. */
  private static long minima(MemorySegment w, long o) {
    long middle = w.get(U32, o + 4) & 0xFFFF_FFFFL;
    long high = w.get(U32, o + 8) & 0xFFFF_FFFFL;
    long first = middle & 0x3F3F3F3FL;
    long second = ((high >>> 4) & 0x0F0F0F0FL) | ((middle >>> 6) & 0x03030303L) << 4;
    return first | second << 32;
  }

  /** ggml's {@code get_scale_min_k4}: sub-block {@code j}'s 6-bit scale (low byte) and minimum (second byte). */
  private static int scaleMin(MemorySegment w, long o, int j) {
    if (j < 4) {
      return (u8(w, o + j) & 63) | (u8(w, o + j + 4) & 63) << 8;
    }
    return ((u8(w, o + j + 4) & 0xF) | (u8(w, o + j - 4) >>> 6) << 4) | ((u8(w, o + j + 4) >>> 4) | (u8(w, o + j) >>> 6) << 4) << 8;
  }

  private static int u8(MemorySegment w, long o) {
    return w.get(ValueLayout.JAVA_BYTE, o) & 0xFF;
  }

  private static float f16(MemorySegment w, long o) {
    return Float.float16ToFloat(w.get(F16, o));
  }
}
