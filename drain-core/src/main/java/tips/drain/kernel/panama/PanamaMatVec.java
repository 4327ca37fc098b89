package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaHalfFloats.bf16Even;
import static tips.drain.kernel.panama.PanamaHalfFloats.bf16Odd;
import static tips.drain.kernel.panama.PanamaHalfFloats.f16Even;
import static tips.drain.kernel.panama.PanamaHalfFloats.f16Odd;
import static tips.drain.kernel.panama.PanamaHalfFloats.F16_EXPONENTS;
import static tips.drain.kernel.panama.PanamaHalfFloats.F16_SIGN_AND_MAGNITUDE;
import static tips.drain.kernel.panama.PanamaHalfFloats.F16_EXPONENT_CARRY;
import static tips.drain.kernel.panama.PanamaHalfFloats.F16_TOP_BITS;
import static tips.drain.kernel.panama.PanamaSpecies.F;
import static tips.drain.kernel.panama.PanamaSpecies.I;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import tips.drain.tensor.DType;
import tips.drain.tensor.Floats;

/**
 * Matrix × vector (decode) over F32, BF16 and F16 weights read in place from their segment. Decode is
 * bound by memory bandwidth: the loops must issue as few instructions per cache line of weights as
 * possible, so that the core keeps enough loads in flight, and must read memory in long sequential
 * streams, which the hardware prefetchers follow.
 *
 * <ul>
 *   <li>four rows per pass share each activation load. They come from the four quarters of the row
 *       range, not neighbouring rows, so each quarter is one long sequential stream (neighbouring rows
 *       make streams that jump at every row end, which measured slower than one row at a time). Four
 *       rows rather than one or two matter most when the activations no longer stay in L1 (5632 columns
 *       and more): 2048x5632 BF16 went from ~70 % to ~110 % of the single-stream read baseline;
 *   <li>the segment offset is the loop variable (an int index converted to long measured ~15 % slower);
 *   <li>BF16/F16 weights are widened two per int lane ({@link PanamaHalfFloats}) against activations
 *       reordered once per call; for F16 the activations are also scaled by a power of two, which
 *       replaces the rebias multiply of every weight. That widening makes F16 infinities and NaNs finite,
 *       so the F16 loops also OR the raw weights together as a sieve (one op per vector, see
 *       {@link PanamaHalfFloats}) and recompute a row holding one with the scalar conversion.
 * </ul>
 *
 * The single-row dot products ({@link #dotF32}, {@link #dotBf16}, {@link #dotF16}) serve the edges of
 * the GEMM.
 * </ul>
 */
final class PanamaMatVec {
  static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
  private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

  private PanamaMatVec() {}

  static void matvec(DType type, MemorySegment w, int cols, float[] x, float[] out, int rowFrom, int rowTo) {
    switch (type) {
      case F32 -> {
        int quarter = (rowTo - rowFrom + 3) / 4;
        int last = rowTo - 1;
        for (int r = rowFrom; r < rowFrom + quarter; r++) {
          dot4F32(w, cols, x, out, r, Math.min(r + quarter, last), Math.min(r + 2 * quarter, last), Math.min(r + 3 * quarter, last));
        }
      }
      case BF16, F16 -> {
        int bound = cols - cols % PanamaHalfFloats.block();
        float[] xp = scratch(bound);
        boolean f16 = type == DType.F16;
        // F16: activations pre-multiplied by a power of two, which saves the weights' rebias multiply
        float scale = f16 ? PanamaHalfFloats.f16ActivationScale(maxAbs(x, bound)) : 1f;
        PanamaHalfFloats.deinterleave(x, 0, bound, xp, 0, scale);
        // four rows per pass, one from each quarter of the range: each quarter stays one long sequential
        // stream; when the range is not a multiple of 4, the last row is computed more than once
        int quarter = (rowTo - rowFrom + 3) / 4;
        int last = rowTo - 1;
        for (int r = rowFrom; r < rowFrom + quarter; r++) {
          int r1 = Math.min(r + quarter, last);
          int r2 = Math.min(r + 2 * quarter, last);
          int r3 = Math.min(r + 3 * quarter, last);
          if (f16) {
            dot4F16(w, cols, xp, 0x1p112f / scale, x, out, r, r1, r2, r3);
          } else {
            dot4Bf16(w, cols, xp, x, out, r, r1, r2, r3);
          }
        }
      }
      default -> throw new IllegalArgumentException("no matvec kernel for " + type);
    }
  }

  /** A per-thread buffer of at least {@code n} floats, for reordered activations. */
  static float[] scratch(int n) {
    float[] buf = SCRATCH.get();
    if (buf.length < n) {
      buf = new float[n];
      SCRATCH.set(buf);
    }
    return buf;
  }

  /** The F32 row of {@code cols} weights at byte {@code base} of {@code w}, dotted with {@code x[xOff ..]}. */
  static float dotF32(MemorySegment w, long base, float[] x, int xOff, int cols) {
    int lanes = F.length();
    long step = 4L * lanes;
    long vectorEnd = base + 4L * (cols - cols % lanes);
    long unrolledEnd = base + 4L * (cols - cols % (4 * lanes));
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    int i = xOff;
    long o = base;
    // the segment offset is the loop variable: measured ~15% faster than an int index converted to long
    for (; o < unrolledEnd; o += 4 * step, i += 4 * lanes) {
      acc0 = FloatVector.fromMemorySegment(F, w, o, LE).fma(FloatVector.fromArray(F, x, i), acc0);
      acc1 = FloatVector.fromMemorySegment(F, w, o + step, LE).fma(FloatVector.fromArray(F, x, i + lanes), acc1);
      acc2 = FloatVector.fromMemorySegment(F, w, o + 2 * step, LE).fma(FloatVector.fromArray(F, x, i + 2 * lanes), acc2);
      acc3 = FloatVector.fromMemorySegment(F, w, o + 3 * step, LE).fma(FloatVector.fromArray(F, x, i + 3 * lanes), acc3);
    }
    for (; o < vectorEnd; o += step, i += lanes) {
      acc0 = FloatVector.fromMemorySegment(F, w, o, LE).fma(FloatVector.fromArray(F, x, i), acc0);
    }
    float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (int k = cols - cols % lanes; k < cols; k++) {
      sum += w.get(F32, base + 4L * k) * x[xOff + k];
    }
    return sum;
  }

  /**
   * Rows {@code r0..r3} of F32 weights ({@code cols} wide) dotted with {@code x}, into {@code out}: each
   * activation vector loaded feeds four rows.
   */
  static void dot4F32(MemorySegment w, int cols, float[] x, float[] out, int r0, int r1, int r2, int r3) {
    int lanes = F.length();
    long step = 4L * lanes;
    int bound = cols - cols % lanes;
    long rowBytes = (long) cols * Float.BYTES;
    long base0 = r0 * rowBytes;
    long base1 = r1 * rowBytes;
    long base2 = r2 * rowBytes;
    long base3 = r3 * rowBytes;
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    int i = 0;
    for (long o = 0; o < 4L * bound; o += step, i += lanes) {
      FloatVector xv = FloatVector.fromArray(F, x, i);
      acc0 = FloatVector.fromMemorySegment(F, w, base0 + o, LE).fma(xv, acc0);
      acc1 = FloatVector.fromMemorySegment(F, w, base1 + o, LE).fma(xv, acc1);
      acc2 = FloatVector.fromMemorySegment(F, w, base2 + o, LE).fma(xv, acc2);
      acc3 = FloatVector.fromMemorySegment(F, w, base3 + o, LE).fma(xv, acc3);
    }
    float sum0 = PanamaLaneSums.sum(acc0);
    float sum1 = PanamaLaneSums.sum(acc1);
    float sum2 = PanamaLaneSums.sum(acc2);
    float sum3 = PanamaLaneSums.sum(acc3);
    for (int k = bound; k < cols; k++) {
      sum0 += w.get(F32, base0 + 4L * k) * x[k];
      sum1 += w.get(F32, base1 + 4L * k) * x[k];
      sum2 += w.get(F32, base2 + 4L * k) * x[k];
      sum3 += w.get(F32, base3 + 4L * k) * x[k];
    }
    out[r0] = sum0;
    out[r1] = sum1;
    out[r2] = sum2;
    out[r3] = sum3;
  }

  /**
   * Rows {@code r0..r3} of BF16 weights ({@code cols} wide) dotted with the activations, into {@code out}:
   * {@code xp} holds them deinterleaved, {@code x} in order (for the tail). Each activation vector loaded
   * feeds four rows.
   */
  static void dot4Bf16(MemorySegment w, int cols, float[] xp, float[] x, float[] out, int r0, int r1, int r2, int r3) {
    int half = F.length();
    long step = 4L * half; // bytes of one int vector: 2 * half weights
    int bound = cols - cols % (2 * half);
    long rowBytes = (long) cols * Short.BYTES;
    long base0 = r0 * rowBytes;
    long base1 = r1 * rowBytes;
    long base2 = r2 * rowBytes;
    long base3 = r3 * rowBytes;
    FloatVector even0 = FloatVector.zero(F);
    FloatVector odd0 = even0;
    FloatVector even1 = even0;
    FloatVector odd1 = even0;
    FloatVector even2 = even0;
    FloatVector odd2 = even0;
    FloatVector even3 = even0;
    FloatVector odd3 = even0;
    int i = 0;
    for (long o = 0; o < 2L * bound; o += step, i += 2 * half) {
      FloatVector xe = FloatVector.fromArray(F, xp, i);
      FloatVector xo = FloatVector.fromArray(F, xp, i + half);
      IntVector v0 = IntVector.fromMemorySegment(I, w, base0 + o, LE);
      IntVector v1 = IntVector.fromMemorySegment(I, w, base1 + o, LE);
      IntVector v2 = IntVector.fromMemorySegment(I, w, base2 + o, LE);
      IntVector v3 = IntVector.fromMemorySegment(I, w, base3 + o, LE);
      even0 = bf16Even(v0).fma(xe, even0);
      odd0 = bf16Odd(v0).fma(xo, odd0);
      even1 = bf16Even(v1).fma(xe, even1);
      odd1 = bf16Odd(v1).fma(xo, odd1);
      even2 = bf16Even(v2).fma(xe, even2);
      odd2 = bf16Odd(v2).fma(xo, odd2);
      even3 = bf16Even(v3).fma(xe, even3);
      odd3 = bf16Odd(v3).fma(xo, odd3);
    }
    float sum0 = PanamaLaneSums.sum(even0.add(odd0));
    float sum1 = PanamaLaneSums.sum(even1.add(odd1));
    float sum2 = PanamaLaneSums.sum(even2.add(odd2));
    float sum3 = PanamaLaneSums.sum(even3.add(odd3));
    for (int k = bound; k < cols; k++) {
      sum0 += Floats.bf16ToFloat(w.get(I16, base0 + 2L * k)) * x[k];
      sum1 += Floats.bf16ToFloat(w.get(I16, base1 + 2L * k)) * x[k];
      sum2 += Floats.bf16ToFloat(w.get(I16, base2 + 2L * k)) * x[k];
      sum3 += Floats.bf16ToFloat(w.get(I16, base3 + 2L * k)) * x[k];
    }
    out[r0] = sum0;
    out[r1] = sum1;
    out[r2] = sum2;
    out[r3] = sum3;
  }

  /** The largest {@code |x[i]|}, {@code i < n}. */
  static float maxAbs(float[] x, int n) {
    return maxAbs(x, 0, n);
  }

  /** The largest {@code |x[off + i]|}, {@code i < n}. */
  static float maxAbs(float[] x, int off, int n) {
    int lanes = F.length();
    FloatVector max = FloatVector.zero(F);
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      max = max.max(FloatVector.fromArray(F, x, off + i).abs());
    }
    float m = max.reduceLanes(VectorOperators.MAX);
    for (; i < n; i++) {
      m = Math.max(m, Math.abs(x[off + i]));
    }
    return m;
  }

  /**
   * As {@link #dot4Bf16} for F16 weights, with {@code xp} holding the activations multiplied by
   * {@code 2^112 / unscale} (see {@link PanamaHalfFloats#f16ActivationScale}): the weights are widened
   * without their 2^112 rebias, and the vector sums are multiplied by {@code unscale}.
   */
  static void dot4F16(MemorySegment w, int cols, float[] xp, float unscale, float[] x, float[] out, int r0, int r1, int r2, int r3) {
    int half = F.length();
    long step = 4L * half; // bytes of one int vector: 2 * half weights
    int bound = cols - cols % (2 * half);
    long rowBytes = (long) cols * Short.BYTES;
    long base0 = r0 * rowBytes;
    long base1 = r1 * rowBytes;
    long base2 = r2 * rowBytes;
    long base3 = r3 * rowBytes;
    FloatVector even0 = FloatVector.zero(F);
    FloatVector odd0 = even0;
    FloatVector even1 = even0;
    FloatVector odd1 = even0;
    FloatVector even2 = even0;
    FloatVector odd2 = even0;
    FloatVector even3 = even0;
    FloatVector odd3 = even0;
    IntVector sieve = IntVector.zero(I);
    int i = 0;
    for (long o = 0; o < 2L * bound; o += step, i += 2 * half) {
      FloatVector xe = FloatVector.fromArray(F, xp, i);
      FloatVector xo = FloatVector.fromArray(F, xp, i + half);
      IntVector v0 = IntVector.fromMemorySegment(I, w, base0 + o, LE);
      IntVector v1 = IntVector.fromMemorySegment(I, w, base1 + o, LE);
      IntVector v2 = IntVector.fromMemorySegment(I, w, base2 + o, LE);
      IntVector v3 = IntVector.fromMemorySegment(I, w, base3 + o, LE);
      // the F16 widening (PanamaHalfFloats.f16Even / f16Odd without their rebias multiply) written out, and the scalar
      // tail in its own method: with helpers and the tail here, C2 reached its node-count inlining cutoff in some JVMs (F16 decode then ran at 3-6
      // instead of 13-14 tok/s, its widening boxed)
      even0 = ((FloatVector) v0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
          .and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats()).fma(xe, even0);
      odd0 = ((FloatVector) v0.lanewise(VectorOperators.ASHR, 3).and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats()).fma(xo, odd0);
      even1 = ((FloatVector) v1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
          .and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats()).fma(xe, even1);
      odd1 = ((FloatVector) v1.lanewise(VectorOperators.ASHR, 3).and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats()).fma(xo, odd1);
      even2 = ((FloatVector) v2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
          .and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats()).fma(xe, even2);
      odd2 = ((FloatVector) v2.lanewise(VectorOperators.ASHR, 3).and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats()).fma(xo, odd2);
      even3 = ((FloatVector) v3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
          .and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats()).fma(xe, even3);
      odd3 = ((FloatVector) v3.lanewise(VectorOperators.ASHR, 3).and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats()).fma(xo, odd3);
      // the infinity/NaN sieve, as a tree so that its dependency chain grows by one op per pass
      sieve = sieve.or(v0.or(v1).or(v2.or(v3)));
    }
    float sum0 = PanamaLaneSums.sum(even0.add(odd0)) * unscale;
    float sum1 = PanamaLaneSums.sum(even1.add(odd1)) * unscale;
    float sum2 = PanamaLaneSums.sum(even2.add(odd2)) * unscale;
    float sum3 = PanamaLaneSums.sum(even3.add(odd3)) * unscale;
    out[r0] = sum0 + f16Tail(w, base0, x, 0, bound, cols);
    out[r1] = sum1 + f16Tail(w, base1, x, 0, bound, cols);
    out[r2] = sum2 + f16Tail(w, base2, x, 0, bound, cols);
    out[r3] = sum3 + f16Tail(w, base3, x, 0, bound, cols);
    // PanamaHalfFloats.exponent31, written out (see PanamaHalfFloats.F16_EXPONENTS)
    if (sieve.and(F16_EXPONENTS).add(F16_EXPONENT_CARRY).and(F16_TOP_BITS).reduceLanes(VectorOperators.OR) != 0) {
      redoInfOrNaNRows(w, cols, bound, x, out, r0, r1, r2, r3);
    }
  }

  /** The F16 weights {@code [bound, cols)} of the row at byte {@code base} times {@code x[xOff ..]}, one by one. */
  static float f16Tail(MemorySegment w, long base, float[] x, int xOff, int bound, int cols) {
    float sum = 0f;
    for (int k = bound; k < cols; k++) {
      sum += Float.float16ToFloat(w.get(I16, base + 2L * k)) * x[xOff + k];
    }
    return sum;
  }

  /**
   * After {@link #dot4F16}'s sieve fired: rows whose vector part holds an F16 infinity or NaN get the scalar
   * reference's dot product instead, and with it the same infinity or NaN.
   */

  private static void redoInfOrNaNRows(MemorySegment w, int cols, int bound, float[] x, float[] out, int r0, int r1, int r2,
      int r3) {
    redoIfInfOrNaN(w, cols, bound, x, out, r0);
    redoIfInfOrNaN(w, cols, bound, x, out, r1);
    redoIfInfOrNaN(w, cols, bound, x, out, r2);
    redoIfInfOrNaN(w, cols, bound, x, out, r3);
  }

  private static void redoIfInfOrNaN(MemorySegment w, int cols, int bound, float[] x, float[] out, int r) {
    long base = r * (long) cols * Short.BYTES;
    if (PanamaHalfFloats.holdsInfOrNaN(w, base, 0, bound)) {
      out[r] = dotF16Exactly(w, base, x, 0, cols);
    }
  }

  /**
   * The F16 row of {@code cols} weights at byte {@code base} dotted with {@code x[xOff ..]}, converting one by one
   * as the scalar reference does: exact for infinities and NaNs too.
   */
  static float dotF16Exactly(MemorySegment w, long base, float[] x, int xOff, int cols) {
    float sum = 0f;
    for (int k = 0; k < cols; k++) {
      sum += Float.float16ToFloat(w.get(I16, base + 2L * k)) * x[xOff + k];
    }
    return sum;
  }

  /**
   * The BF16 row of {@code cols} weights at byte {@code base}, dotted with the activations: {@code xp[xpOff ..]}
   * holds them deinterleaved for the vector part, {@code x[xOff ..]} in order for the scalar tail.
   */
  static float dotBf16(MemorySegment w, long base, float[] xp, int xpOff, float[] x, int xOff, int cols) {
    int half = F.length();
    int block = 2 * half;
    int bound = cols - cols % block;
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    int i = 0;
    for (; i <= bound - 2 * block; i += 2 * block) {
      IntVector v0 = IntVector.fromMemorySegment(I, w, base + 2L * i, LE);
      IntVector v1 = IntVector.fromMemorySegment(I, w, base + 2L * (i + block), LE);
      int xi = xpOff + i;
      acc0 = bf16Even(v0).fma(FloatVector.fromArray(F, xp, xi), acc0);
      acc1 = bf16Odd(v0).fma(FloatVector.fromArray(F, xp, xi + half), acc1);
      acc2 = bf16Even(v1).fma(FloatVector.fromArray(F, xp, xi + block), acc2);
      acc3 = bf16Odd(v1).fma(FloatVector.fromArray(F, xp, xi + block + half), acc3);
    }
    if (i < bound) {
      IntVector v0 = IntVector.fromMemorySegment(I, w, base + 2L * i, LE);
      acc0 = bf16Even(v0).fma(FloatVector.fromArray(F, xp, xpOff + i), acc0);
      acc1 = bf16Odd(v0).fma(FloatVector.fromArray(F, xp, xpOff + i + half), acc1);
      i += block;
    }
    float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < cols; i++) {
      sum += Floats.bf16ToFloat(w.get(I16, base + 2L * i)) * x[xOff + i];
    }
    return sum;
  }

  /**
   * As {@link #dotBf16} for F16 weights that are all finite: the caller checks for infinities and NaNs
   * ({@link PanamaHalfFloats#holdsInfOrNaN}, once per row for all tokens) and uses {@link #dotF16Exactly} for
   * a row that holds one. A check in here measured as a C2 inlining failure (the method is at
   * {@code NodeCountInliningCutoff}).
   */
  static float dotF16(MemorySegment w, long base, float[] xp, int xpOff, float[] x, int xOff, int cols) {
    int half = F.length();
    int block = 2 * half;
    int bound = cols - cols % block;
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    int i = 0;
    for (; i <= bound - 2 * block; i += 2 * block) {
      IntVector v0 = IntVector.fromMemorySegment(I, w, base + 2L * i, LE);
      IntVector v1 = IntVector.fromMemorySegment(I, w, base + 2L * (i + block), LE);
      int xi = xpOff + i;
      acc0 = f16Even(v0).fma(FloatVector.fromArray(F, xp, xi), acc0);
      acc1 = f16Odd(v0).fma(FloatVector.fromArray(F, xp, xi + half), acc1);
      acc2 = f16Even(v1).fma(FloatVector.fromArray(F, xp, xi + block), acc2);
      acc3 = f16Odd(v1).fma(FloatVector.fromArray(F, xp, xi + block + half), acc3);
    }
    if (i < bound) {
      IntVector v0 = IntVector.fromMemorySegment(I, w, base + 2L * i, LE);
      acc0 = f16Even(v0).fma(FloatVector.fromArray(F, xp, xpOff + i), acc0);
      acc1 = f16Odd(v0).fma(FloatVector.fromArray(F, xp, xpOff + i + half), acc1);
      i += block;
    }
    float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < cols; i++) {
      sum += Float.float16ToFloat(w.get(I16, base + 2L * i)) * x[xOff + i];
    }
    return sum;
  }
}
