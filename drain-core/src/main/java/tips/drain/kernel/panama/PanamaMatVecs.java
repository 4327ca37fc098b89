package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaHalfFloats.F16_EXPONENTS;
import static tips.drain.kernel.panama.PanamaHalfFloats.F16_EXPONENT_CARRY;
import static tips.drain.kernel.panama.PanamaHalfFloats.F16_SIGN_AND_MAGNITUDE;
import static tips.drain.kernel.panama.PanamaHalfFloats.F16_TOP_BITS;
import static tips.drain.kernel.panama.PanamaHalfFloats.bf16Even;
import static tips.drain.kernel.panama.PanamaHalfFloats.bf16Odd;
import static tips.drain.kernel.panama.PanamaMatVec.LE;
import static tips.drain.kernel.panama.PanamaSpecies.F;
import static tips.drain.kernel.panama.PanamaSpecies.I;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import tips.drain.tensor.DType;
import tips.drain.tensor.Floats;

/**
 * Matrix × a few vectors (the tokens of a batched decode step), each product summed exactly as
 * {@link PanamaMatVec} sums it for that vector alone, so a token's result does not depend on the batch it
 * runs in. Per row, the same accumulators in the same order as the single-vector kernel: F32 one vector of
 * partial sums, BF16/F16 an even and an odd one, then {@link PanamaLaneSums#sum} and the scalar tail.
 *
 * <p>Rows go one at a time, each against four tokens at once: the row is read from memory once per
 * {@link #TOKEN_BLOCK} tokens (it stays in L1 for the following groups of four) and every weight vector loaded and
 * widened feeds four tokens.
 * Leftover tokens take the one-token loop, which sums the same way.
 */
final class PanamaMatVecs {
  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
  private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
  /**
   * Tokens whose activations pass over all rows together (2048 columns × 32 tokens are 256 KiB, in L2): a batch of
   * more reads the weights once per block of tokens instead of streaming every token's activations past each row.
   */
  static final int TOKEN_BLOCK = 32;
  private static final ThreadLocal<float[]> UNSCALES = ThreadLocal.withInitial(() -> new float[0]);

  private PanamaMatVecs() {}

  static void matvecs(DType type, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    if (batch == 1) {
      PanamaMatVec.matvec(type, w, cols, x, out, rowFrom, rowTo);
      return;
    }
    switch (type) {
      case F32 -> {
        for (int t0 = 0; t0 < batch; t0 += TOKEN_BLOCK) {
          int t1 = Math.min(batch, t0 + TOKEN_BLOCK);
          for (int r = rowFrom; r < rowTo; r++) {
            int t = t0;
            for (; t + 4 <= t1; t += 4) {
              f32Tokens4(w, cols, x, t, out, rows, r);
            }
            for (; t < t1; t++) {
              out[t * rows + r] = f32Token(w, cols, x, t * cols, r);
            }
          }
        }
      }
      case BF16, F16 -> {
        boolean f16 = type == DType.F16;
        int bound = cols - cols % PanamaHalfFloats.block();
        float[] xp = PanamaMatVec.scratch(batch * bound);
        float[] unscale = unscales(batch);
        for (int t = 0; t < batch; t++) {
          // F16: each token's activations scaled by their own power of two, as PanamaMatVec.matvec does
          float scale = f16 ? PanamaHalfFloats.f16ActivationScale(PanamaMatVec.maxAbs(x, t * cols, bound)) : 1f;
          PanamaHalfFloats.deinterleave(x, t * cols, bound, xp, t * bound, scale);
          unscale[t] = 0x1p112f / scale;
        }
        for (int t0 = 0; t0 < batch; t0 += TOKEN_BLOCK) {
          int t1 = Math.min(batch, t0 + TOKEN_BLOCK);
          for (int r = rowFrom; r < rowTo; r++) {
            int t = t0;
            for (; t + 4 <= t1; t += 4) {
              if (f16) {
                f16Tokens4(w, cols, bound, xp, unscale, x, t, out, rows, r);
              } else {
                bf16Tokens4(w, cols, bound, xp, x, t, out, rows, r);
              }
            }
            for (; t < t1; t++) {
              out[t * rows + r] = f16 ? f16Token(w, cols, bound, xp, unscale[t], x, t, r) : bf16Token(w, cols, bound, xp, x, t, r);
            }
          }
        }
      }
      default -> throw new IllegalArgumentException("no matvec kernel for " + type);
    }
  }

  private static float[] unscales(int n) {
    float[] buf = UNSCALES.get();
    if (buf.length < n) {
      buf = new float[n];
      UNSCALES.set(buf);
    }
    return buf;
  }

  /** Row {@code r} of F32 weights times tokens {@code t .. t+3} of {@code x}, into {@code out[token * rows + r]}. */
  private static void f32Tokens4(MemorySegment w, int cols, float[] x, int t, float[] out, int rows, int r) {
    int lanes = F.length();
    long step = 4L * lanes;
    int bound = cols - cols % lanes;
    long base = r * (long) cols * Float.BYTES;
    int x0 = t * cols;
    int x1 = x0 + cols;
    int x2 = x1 + cols;
    int x3 = x2 + cols;
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    int i = 0;
    for (long o = 0; o < 4L * bound; o += step, i += lanes) {
      FloatVector wv = FloatVector.fromMemorySegment(F, w, base + o, LE);
      acc0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), acc0);
      acc1 = wv.fma(FloatVector.fromArray(F, x, x1 + i), acc1);
      acc2 = wv.fma(FloatVector.fromArray(F, x, x2 + i), acc2);
      acc3 = wv.fma(FloatVector.fromArray(F, x, x3 + i), acc3);
    }
    float sum0 = PanamaLaneSums.sum(acc0);
    float sum1 = PanamaLaneSums.sum(acc1);
    float sum2 = PanamaLaneSums.sum(acc2);
    float sum3 = PanamaLaneSums.sum(acc3);
    for (int k = bound; k < cols; k++) {
      float wk = w.get(F32, base + 4L * k);
      sum0 += wk * x[x0 + k];
      sum1 += wk * x[x1 + k];
      sum2 += wk * x[x2 + k];
      sum3 += wk * x[x3 + k];
    }
    out[t * rows + r] = sum0;
    out[(t + 1) * rows + r] = sum1;
    out[(t + 2) * rows + r] = sum2;
    out[(t + 3) * rows + r] = sum3;
  }

  /** Row {@code r} of F32 weights times the token at {@code x[xOff ..]}. */
  private static float f32Token(MemorySegment w, int cols, float[] x, int xOff, int r) {
    int lanes = F.length();
    long step = 4L * lanes;
    int bound = cols - cols % lanes;
    long base = r * (long) cols * Float.BYTES;
    FloatVector acc = FloatVector.zero(F);
    int i = xOff;
    for (long o = 0; o < 4L * bound; o += step, i += lanes) {
      acc = FloatVector.fromMemorySegment(F, w, base + o, LE).fma(FloatVector.fromArray(F, x, i), acc);
    }
    float sum = PanamaLaneSums.sum(acc);
    for (int k = bound; k < cols; k++) {
      sum += w.get(F32, base + 4L * k) * x[xOff + k];
    }
    return sum;
  }

  /**
   * Row {@code r} of BF16 weights times tokens {@code t .. t+3}: {@code xp} holds every token's first {@code bound}
   * activations deinterleaved ({@code bound} floats per token), {@code x} the activations in order for the tail.
   */
  private static void bf16Tokens4(MemorySegment w, int cols, int bound, float[] xp, float[] x, int t, float[] out, int rows,
      int r) {
    int half = F.length();
    long step = 4L * half;
    long base = r * (long) cols * Short.BYTES;
    int p0 = t * bound;
    int p1 = p0 + bound;
    int p2 = p1 + bound;
    int p3 = p2 + bound;
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
      IntVector v = IntVector.fromMemorySegment(I, w, base + o, LE);
      FloatVector we = bf16Even(v);
      FloatVector wo = bf16Odd(v);
      even0 = we.fma(FloatVector.fromArray(F, xp, p0 + i), even0);
      odd0 = wo.fma(FloatVector.fromArray(F, xp, p0 + i + half), odd0);
      even1 = we.fma(FloatVector.fromArray(F, xp, p1 + i), even1);
      odd1 = wo.fma(FloatVector.fromArray(F, xp, p1 + i + half), odd1);
      even2 = we.fma(FloatVector.fromArray(F, xp, p2 + i), even2);
      odd2 = wo.fma(FloatVector.fromArray(F, xp, p2 + i + half), odd2);
      even3 = we.fma(FloatVector.fromArray(F, xp, p3 + i), even3);
      odd3 = wo.fma(FloatVector.fromArray(F, xp, p3 + i + half), odd3);
    }
    float sum0 = PanamaLaneSums.sum(even0.add(odd0));
    float sum1 = PanamaLaneSums.sum(even1.add(odd1));
    float sum2 = PanamaLaneSums.sum(even2.add(odd2));
    float sum3 = PanamaLaneSums.sum(even3.add(odd3));
    int x0 = t * cols;
    for (int k = bound; k < cols; k++) {
      float wk = Floats.bf16ToFloat(w.get(I16, base + 2L * k));
      sum0 += wk * x[x0 + k];
      sum1 += wk * x[x0 + cols + k];
      sum2 += wk * x[x0 + 2 * cols + k];
      sum3 += wk * x[x0 + 3 * cols + k];
    }
    out[t * rows + r] = sum0;
    out[(t + 1) * rows + r] = sum1;
    out[(t + 2) * rows + r] = sum2;
    out[(t + 3) * rows + r] = sum3;
  }

  /** Row {@code r} of BF16 weights times token {@code t} (see {@link #bf16Tokens4}). */
  private static float bf16Token(MemorySegment w, int cols, int bound, float[] xp, float[] x, int t, int r) {
    int half = F.length();
    long step = 4L * half;
    long base = r * (long) cols * Short.BYTES;
    int p = t * bound;
    FloatVector even = FloatVector.zero(F);
    FloatVector odd = even;
    int i = 0;
    for (long o = 0; o < 2L * bound; o += step, i += 2 * half) {
      IntVector v = IntVector.fromMemorySegment(I, w, base + o, LE);
      even = bf16Even(v).fma(FloatVector.fromArray(F, xp, p + i), even);
      odd = bf16Odd(v).fma(FloatVector.fromArray(F, xp, p + i + half), odd);
    }
    float sum = PanamaLaneSums.sum(even.add(odd));
    for (int k = bound; k < cols; k++) {
      sum += Floats.bf16ToFloat(w.get(I16, base + 2L * k)) * x[t * cols + k];
    }
    return sum;
  }

  /**
   * Row {@code r} of F16 weights times tokens {@code t .. t+3}, as {@link PanamaMatVec#dot4F16} computes one: the
   * weights widened without their rebias, each token's sum times its {@code unscale}, plus the scalar tail; a row
   * holding an infinity or NaN is redone exactly for every token.
   */
  private static void f16Tokens4(MemorySegment w, int cols, int bound, float[] xp, float[] unscale, float[] x, int t,
      float[] out, int rows, int r) {
    int half = F.length();
    long step = 4L * half;
    long base = r * (long) cols * Short.BYTES;
    int p0 = t * bound;
    int p1 = p0 + bound;
    int p2 = p1 + bound;
    int p3 = p2 + bound;
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
      IntVector v = IntVector.fromMemorySegment(I, w, base + o, LE);
      FloatVector we = (FloatVector) v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
          .and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats();
      FloatVector wo = (FloatVector) v.lanewise(VectorOperators.ASHR, 3).and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats();
      even0 = we.fma(FloatVector.fromArray(F, xp, p0 + i), even0);
      odd0 = wo.fma(FloatVector.fromArray(F, xp, p0 + i + half), odd0);
      even1 = we.fma(FloatVector.fromArray(F, xp, p1 + i), even1);
      odd1 = wo.fma(FloatVector.fromArray(F, xp, p1 + i + half), odd1);
      even2 = we.fma(FloatVector.fromArray(F, xp, p2 + i), even2);
      odd2 = wo.fma(FloatVector.fromArray(F, xp, p2 + i + half), odd2);
      even3 = we.fma(FloatVector.fromArray(F, xp, p3 + i), even3);
      odd3 = wo.fma(FloatVector.fromArray(F, xp, p3 + i + half), odd3);
      sieve = sieve.or(v);
    }
    int x0 = t * cols;
    out[t * rows + r] = PanamaLaneSums.sum(even0.add(odd0)) * unscale[t] + PanamaMatVec.f16Tail(w, base, x, x0, bound, cols);
    out[(t + 1) * rows + r] = PanamaLaneSums.sum(even1.add(odd1)) * unscale[t + 1]
        + PanamaMatVec.f16Tail(w, base, x, x0 + cols, bound, cols);
    out[(t + 2) * rows + r] = PanamaLaneSums.sum(even2.add(odd2)) * unscale[t + 2]
        + PanamaMatVec.f16Tail(w, base, x, x0 + 2 * cols, bound, cols);
    out[(t + 3) * rows + r] = PanamaLaneSums.sum(even3.add(odd3)) * unscale[t + 3]
        + PanamaMatVec.f16Tail(w, base, x, x0 + 3 * cols, bound, cols);
    if (sieve.and(F16_EXPONENTS).add(F16_EXPONENT_CARRY).and(F16_TOP_BITS).reduceLanes(VectorOperators.OR) != 0
        && PanamaHalfFloats.holdsInfOrNaN(w, base, 0, bound)) {
      for (int j = t; j < t + 4; j++) {
        out[j * rows + r] = PanamaMatVec.dotF16Exactly(w, base, x, j * cols, cols);
      }
    }
  }

  /** Row {@code r} of F16 weights times token {@code t} (see {@link #f16Tokens4}). */
  private static float f16Token(MemorySegment w, int cols, int bound, float[] xp, float unscale, float[] x, int t, int r) {
    int half = F.length();
    long step = 4L * half;
    long base = r * (long) cols * Short.BYTES;
    int p = t * bound;
    FloatVector even = FloatVector.zero(F);
    FloatVector odd = even;
    IntVector sieve = IntVector.zero(I);
    int i = 0;
    for (long o = 0; o < 2L * bound; o += step, i += 2 * half) {
      IntVector v = IntVector.fromMemorySegment(I, w, base + o, LE);
      even = ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3)
          .and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats()).fma(FloatVector.fromArray(F, xp, p + i), even);
      odd = ((FloatVector) v.lanewise(VectorOperators.ASHR, 3).and(F16_SIGN_AND_MAGNITUDE).reinterpretAsFloats())
          .fma(FloatVector.fromArray(F, xp, p + i + half), odd);
      sieve = sieve.or(v);
    }
    if (sieve.and(F16_EXPONENTS).add(F16_EXPONENT_CARRY).and(F16_TOP_BITS).reduceLanes(VectorOperators.OR) != 0
        && PanamaHalfFloats.holdsInfOrNaN(w, base, 0, bound)) {
      return PanamaMatVec.dotF16Exactly(w, base, x, t * cols, cols);
    }
    return PanamaLaneSums.sum(even.add(odd)) * unscale + PanamaMatVec.f16Tail(w, base, x, t * cols, bound, cols);
  }
}
