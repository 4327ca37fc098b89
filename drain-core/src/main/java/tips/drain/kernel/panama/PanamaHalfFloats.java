package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaSpecies.F;
import static tips.drain.kernel.panama.PanamaSpecies.I;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Widening of 16-bit weights (BF16, F16) without shuffles. An {@link IntVector} loaded over 16-bit data
 * holds two weights per int lane: the even element in the low half, the odd one in the high half
 * (little-endian). Each half becomes a float with one or two lane-wise ops, so a vector load yields an
 * "even" and an "odd" float vector; the activations are reordered to match once per call with
 * {@link #deinterleave}.
 *
 * <p>The F16 widening is exact for finite values only: an infinity or NaN (exponent 31) comes out finite.
 * The F16 loops therefore OR together the raw bits they load, one op per vector, as a sieve: when, for some
 * half of a lane, the OR has all five exponent bits set ({@link #F16_EXPONENTS}), one of the weights may be an
 * infinity or NaN (or weights of magnitude 2 and more set the top bit); only then are the rows checked
 * exactly ({@link #holdsInfOrNaN}), and a row that holds one is redone with {@link Float#float16ToFloat}.
 * A sharper test in the loop (an and, an add and an or per vector) was 5-15 % slower on F16 matvec in rough
 * single-thread timings (not JMH); the sieve showed no difference on memory-bound shapes.
 */
final class PanamaHalfFloats {
  /** 2^112: rebiases an F16 exponent (bias 15) placed in an F32 (bias 127). */
  private static final float F16_REBIAS = 0x1p112f;
  /** Sign bit and the 15 exponent+mantissa bits of an F16 moved to F32 positions (after an arithmetic >> 3). */
  static final int F16_SIGN_AND_MAGNITUDE = 0x8FFFE000;

  /**
   * The exponent bits of the two F16 in an int lane. With {@link #F16_EXPONENT_CARRY} added, the masked
   * exponent of a half carries into the half's top bit ({@link #F16_TOP_BITS}) exactly when all five are set,
   * and never into the next half. The matvec loops write this test out instead of calling
   * {@link #exponent31}: there a helper call passes C2's {@code NodeCountInliningCutoff}, stays a call and boxes
   * its vectors (10x slower in a rough timing).
   */
  static final int F16_EXPONENTS = 0x7C007C00;
  /** See {@link #F16_EXPONENTS}. */
  static final int F16_EXPONENT_CARRY = 0x04000400;
  /** See {@link #F16_EXPONENTS}. */
  static final int F16_TOP_BITS = 0x80008000;

  private PanamaHalfFloats() {}

  /** 16-bit elements covered by one int vector. */
  static int block() {
    return 2 * F.length();
  }

  /**
   * Copies {@code x[xOff .. xOff+n)} ({@code n} a multiple of {@link #block()}) to {@code dst[dstOff ..]},
   * each block reordered as its even elements followed by its odd elements.
   */
  static void deinterleave(float[] x, int xOff, int n, float[] dst, int dstOff) {
    deinterleave(x, xOff, n, dst, dstOff, 1f);
  }

  /** As {@link #deinterleave(float[], int, int, float[], int)}, multiplying each value by {@code scale}. */
  static void deinterleave(float[] x, int xOff, int n, float[] dst, int dstOff, float scale) {
    int half = F.length();
    int block = 2 * half;
    for (int b = 0; b < n; b += block) {
      for (int j = 0; j < half; j++) {
        dst[dstOff + b + j] = x[xOff + b + 2 * j] * scale;
        dst[dstOff + b + half + j] = x[xOff + b + 2 * j + 1] * scale;
      }
    }
  }

  /**
   * Widens the 16-bit weights of columns {@code [k0, kEnd)} (a multiple of {@link #block()} wide) of the row
   * starting at byte {@code rowBase} into {@code dst[dstOff ..]}, in the deinterleaved order of {@link #deinterleave}.
   * Returns whether they held an F16 infinity or NaN (widened exactly all the same).
   */
  static boolean widen(boolean f16, MemorySegment w, long rowBase, int k0, int kEnd, float[] dst, int dstOff) {
    int half = F.length();
    if (!f16) {
      for (int k = k0; k < kEnd; k += 2 * half) {
        IntVector v = IntVector.fromMemorySegment(I, w, rowBase + 2L * k, ByteOrder.LITTLE_ENDIAN);
        int d = dstOff + k - k0;
        bf16Even(v).intoArray(dst, d);
        bf16Odd(v).intoArray(dst, d + half);
      }
      return false;
    }
    IntVector sieve = IntVector.zero(I);
    for (int k = k0; k < kEnd; k += 2 * half) {
      IntVector v = IntVector.fromMemorySegment(I, w, rowBase + 2L * k, ByteOrder.LITTLE_ENDIAN);
      int d = dstOff + k - k0;
      f16Even(v).intoArray(dst, d);
      f16Odd(v).intoArray(dst, d + half);
      sieve = sieve.or(v);
    }
    if (exponent31(sieve) && holdsInfOrNaN(w, rowBase, k0, kEnd)) {
      widenF16Exactly(w, rowBase, k0, kEnd, dst, dstOff);
      return true;
    }
    return false;
  }

  /**
   * {@link #widen} of {@code rows} rows at once, {@code rowBytes} apart from byte {@code rowBase}, into
   * {@code dst[dstOff + i*dstStride ..]}: one vector of each row in turn, so that the loads from all the rows
   * are in flight together. Weights that come from DRAM (a mapped model file) arrive faster than row after
   * row: measured on Zen 4, single thread, 2048×2048 BF16 matrices cycling through 1.5 GB, prefill matmul of
   * 64 tokens 92 -> 96 GFLOP/s.
   */
  static void widenRows(boolean f16, MemorySegment w, long rowBase, long rowBytes, int rows, int k0, int kEnd,
      float[] dst, int dstOff, int dstStride) {
    int half = F.length();
    IntVector sieve = IntVector.zero(I);
    for (int k = k0; k < kEnd; k += 2 * half) {
      for (int i = 0; i < rows; i++) {
        IntVector v = IntVector.fromMemorySegment(I, w, rowBase + i * rowBytes + 2L * k, ByteOrder.LITTLE_ENDIAN);
        int d = dstOff + i * dstStride + k - k0;
        if (f16) {
          f16Even(v).intoArray(dst, d);
          f16Odd(v).intoArray(dst, d + half);
          sieve = sieve.or(v);
        } else {
          bf16Even(v).intoArray(dst, d);
          bf16Odd(v).intoArray(dst, d + half);
        }
      }
    }
    if (f16 && exponent31(sieve)) {
      // some row may hold an infinity or NaN: widen checks each row exactly and redoes those that do
      for (int i = 0; i < rows; i++) {
        widen(true, w, rowBase + i * rowBytes, k0, kEnd, dst, dstOff + i * dstStride);
      }
    }
  }

  /** Whether some half of a lane of {@code v} has all five F16 exponent bits set. */
  static boolean exponent31(IntVector v) {
    return v.and(F16_EXPONENTS).add(F16_EXPONENT_CARRY).and(F16_TOP_BITS).reduceLanes(VectorOperators.OR) != 0;
  }

  /**
   * Whether the F16 weights {@code [k0, kEnd)} ({@code kEnd - k0} a multiple of {@link #block()}) of the row at
   * byte {@code rowBase} hold an infinity or NaN.
   */
  static boolean holdsInfOrNaN(MemorySegment w, long rowBase, int k0, int kEnd) {
    IntVector flags = IntVector.zero(I);
    for (int k = k0; k < kEnd; k += block()) {
      IntVector v = IntVector.fromMemorySegment(I, w, rowBase + 2L * k, ByteOrder.LITTLE_ENDIAN);
      flags = flags.or(v.and(F16_EXPONENTS).add(F16_EXPONENT_CARRY));
    }
    return flags.and(F16_TOP_BITS).reduceLanes(VectorOperators.OR) != 0;
  }

  /** {@link #widen} of F16 weights one by one with {@link Float#float16ToFloat}: exact for infinities and NaNs too. */
  static void widenF16Exactly(MemorySegment w, long rowBase, int k0, int kEnd, float[] dst, int dstOff) {
    int half = F.length();
    for (int k = k0; k < kEnd; k += 2 * half) {
      int d = dstOff + k - k0;
      for (int j = 0; j < half; j++) {
        dst[d + j] = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, rowBase + 2L * (k + 2 * j)));
        dst[d + half + j] = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, rowBase + 2L * (k + 2 * j + 1)));
      }
    }
  }

  /** BF16 in the low halves of {@code v} as floats: a BF16 is the top 16 bits of an F32. */
  static FloatVector bf16Even(IntVector v) {
    return v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  /** BF16 in the high halves of {@code v} as floats. */
  static FloatVector bf16Odd(IntVector v) {
    return v.and(0xFFFF0000).reinterpretAsFloats();
  }

  /** F16 in the low halves of {@code v} as floats. */
  static FloatVector f16Even(IntVector v) {
    return f16High(v.lanewise(VectorOperators.LSHL, 16));
  }

  /** F16 in the high halves of {@code v} as floats. */
  static FloatVector f16Odd(IntVector v) {
    return f16High(v);
  }

  /**
   * The power of two to multiply activations by so that F16 weights need no rebias multiply:
   * {@code (w / 2^112) · (x · s) = w · x / 2^e} with {@code s = 2^(112-e)}, exact (powers of two) as long as
   * {@code x · s} stays finite; {@code e > 0} only for activations of 2^16 and more, and the caller multiplies
   * the sum by {@code 2^e = 2^112 / s}.
   */
  static float f16ActivationScale(float maxAbs) {
    int e = Math.max(0, Math.getExponent(maxAbs) - 14);
    return Math.scalb(1f, 112 - Math.min(e, 112));
  }

  /**
   * The F16 in the high 16 bits of each lane as a float, exact for every finite value (subnormals
   * included): shifting the 15 magnitude bits right by 3 puts exponent and mantissa in F32 position with
   * the exponent still biased by 15, and the multiply by 2^112 rebiases it (and normalizes subnormals).
   * The arithmetic shift keeps the sign in bit 31. F16 infinities and NaNs come out as finite values of
   * magnitude 65536..131008: callers sieve for them (see the class comment) and redo those rows exactly.
   */
  private static FloatVector f16High(IntVector h) {
    return h.lanewise(VectorOperators.ASHR, 3).and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats().mul(F16_REBIAS);
  }
}
