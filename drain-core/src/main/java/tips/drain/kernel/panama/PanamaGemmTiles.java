package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaHalfFloats.bf16Even;
import static tips.drain.kernel.panama.PanamaHalfFloats.bf16Odd;
import static tips.drain.kernel.panama.PanamaHalfFloats.f16Even;
import static tips.drain.kernel.panama.PanamaHalfFloats.f16Odd;
import static tips.drain.kernel.panama.PanamaMatVec.LE;
import static tips.drain.kernel.panama.PanamaSpecies.F;
import static tips.drain.kernel.panama.PanamaSpecies.I;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.DType;

/**
 * The 4 × 4 register tiles of the prefill GEMM ({@link PanamaGemm}): 4 weight rows × 4 tokens in 16
 * vector accumulators, so each weight vector loaded (and widened) feeds 4 FMAs and each activation
 * vector 4 more. Written out longhand: Java has no way to keep 16 accumulators in registers
 * other than 16 local variables.
 */
final class PanamaGemmTiles {
  private PanamaGemmTiles() {}

  /** Adds ({@code first == false}) or stores one tile result. */
  private static void store(float[] out, int rows, int r, int t, float value, boolean first) {
    int i = t * rows + r;
    out[i] = first ? value : out[i] + value;
  }

  /** The columns {@code [from, to)} the vector loop left, for one row and token, in scalar code. */
  private static float tail(MemorySegment w, DType type, int cols, int r, float[] x, int t, int from, int to) {
    float sum = 0f;
    for (int k = from; k < to; k++) {
      sum += ScalarKernels.weight(type, w, (long) r * cols + k) * x[t * cols + k];
    }
    return sum;
  }

  /** The 4 rows × 4 tokens tile of F32 weights over columns {@code [k0, k1)}. */
  static void tileF32(MemorySegment w, int cols, int rows, float[] x, int r, int t, int k0, int k1, float[] out, boolean first) {
    int lanes = F.length();
    long rowBytes = 4L * cols;
    long w0 = r * rowBytes;
    long w1 = w0 + rowBytes;
    long w2 = w1 + rowBytes;
    long w3 = w2 + rowBytes;
    int x0 = t * cols;
    int x1 = x0 + cols;
    int x2 = x1 + cols;
    int x3 = x2 + cols;
    FloatVector acc00 = FloatVector.zero(F);
    FloatVector acc01 = FloatVector.zero(F);
    FloatVector acc02 = FloatVector.zero(F);
    FloatVector acc03 = FloatVector.zero(F);
    FloatVector acc10 = FloatVector.zero(F);
    FloatVector acc11 = FloatVector.zero(F);
    FloatVector acc12 = FloatVector.zero(F);
    FloatVector acc13 = FloatVector.zero(F);
    FloatVector acc20 = FloatVector.zero(F);
    FloatVector acc21 = FloatVector.zero(F);
    FloatVector acc22 = FloatVector.zero(F);
    FloatVector acc23 = FloatVector.zero(F);
    FloatVector acc30 = FloatVector.zero(F);
    FloatVector acc31 = FloatVector.zero(F);
    FloatVector acc32 = FloatVector.zero(F);
    FloatVector acc33 = FloatVector.zero(F);
    int k = k0;
    for (; k <= k1 - lanes; k += lanes) {
      FloatVector a0 = FloatVector.fromMemorySegment(F, w, w0 + 4L * k, LE);
      FloatVector a1 = FloatVector.fromMemorySegment(F, w, w1 + 4L * k, LE);
      FloatVector a2 = FloatVector.fromMemorySegment(F, w, w2 + 4L * k, LE);
      FloatVector a3 = FloatVector.fromMemorySegment(F, w, w3 + 4L * k, LE);
      FloatVector b0 = FloatVector.fromArray(F, x, x0 + k);
      FloatVector b1 = FloatVector.fromArray(F, x, x1 + k);
      FloatVector b2 = FloatVector.fromArray(F, x, x2 + k);
      FloatVector b3 = FloatVector.fromArray(F, x, x3 + k);
      acc00 = a0.fma(b0, acc00);
      acc01 = a0.fma(b1, acc01);
      acc02 = a0.fma(b2, acc02);
      acc03 = a0.fma(b3, acc03);
      acc10 = a1.fma(b0, acc10);
      acc11 = a1.fma(b1, acc11);
      acc12 = a1.fma(b2, acc12);
      acc13 = a1.fma(b3, acc13);
      acc20 = a2.fma(b0, acc20);
      acc21 = a2.fma(b1, acc21);
      acc22 = a2.fma(b2, acc22);
      acc23 = a2.fma(b3, acc23);
      acc30 = a3.fma(b0, acc30);
      acc31 = a3.fma(b1, acc31);
      acc32 = a3.fma(b2, acc32);
      acc33 = a3.fma(b3, acc33);
    }
    int kEnd = k;
    DType type = DType.F32;
    store(out, rows, r, t, acc00.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t, kEnd, k1), first);
    store(out, rows, r, t + 1, acc01.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t + 1, kEnd, k1), first);
    store(out, rows, r, t + 2, acc02.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t + 2, kEnd, k1), first);
    store(out, rows, r, t + 3, acc03.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t + 3, kEnd, k1), first);
    store(out, rows, r + 1, t, acc10.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t, kEnd, k1), first);
    store(out, rows, r + 1, t + 1, acc11.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t + 1, kEnd, k1), first);
    store(out, rows, r + 1, t + 2, acc12.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t + 2, kEnd, k1), first);
    store(out, rows, r + 1, t + 3, acc13.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t + 3, kEnd, k1), first);
    store(out, rows, r + 2, t, acc20.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t, kEnd, k1), first);
    store(out, rows, r + 2, t + 1, acc21.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t + 1, kEnd, k1), first);
    store(out, rows, r + 2, t + 2, acc22.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t + 2, kEnd, k1), first);
    store(out, rows, r + 2, t + 3, acc23.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t + 3, kEnd, k1), first);
    store(out, rows, r + 3, t, acc30.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t, kEnd, k1), first);
    store(out, rows, r + 3, t + 1, acc31.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t + 1, kEnd, k1), first);
    store(out, rows, r + 3, t + 2, acc32.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t + 2, kEnd, k1), first);
    store(out, rows, r + 3, t + 3, acc33.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t + 3, kEnd, k1), first);
  }

  /**
   * The 4 rows × 4 tokens tile of BF16 weights over columns {@code [k0, k1)}; {@code xp} holds each
   * token's activations deinterleaved ({@code bound} per token), {@code x} the original ones for the tail.
   */
  static void tileBf16(MemorySegment w, int cols, int rows, float[] xp, int bound, float[] x, int r, int t, int k0, int k1,
      float[] out, boolean first) {
    int half = F.length();
    int block = 2 * half;
    long rowBytes = 2L * cols;
    long w0 = r * rowBytes;
    long w1 = w0 + rowBytes;
    long w2 = w1 + rowBytes;
    long w3 = w2 + rowBytes;
    int x0 = t * bound;
    int x1 = x0 + bound;
    int x2 = x1 + bound;
    int x3 = x2 + bound;
    FloatVector acc00 = FloatVector.zero(F);
    FloatVector acc01 = FloatVector.zero(F);
    FloatVector acc02 = FloatVector.zero(F);
    FloatVector acc03 = FloatVector.zero(F);
    FloatVector acc10 = FloatVector.zero(F);
    FloatVector acc11 = FloatVector.zero(F);
    FloatVector acc12 = FloatVector.zero(F);
    FloatVector acc13 = FloatVector.zero(F);
    FloatVector acc20 = FloatVector.zero(F);
    FloatVector acc21 = FloatVector.zero(F);
    FloatVector acc22 = FloatVector.zero(F);
    FloatVector acc23 = FloatVector.zero(F);
    FloatVector acc30 = FloatVector.zero(F);
    FloatVector acc31 = FloatVector.zero(F);
    FloatVector acc32 = FloatVector.zero(F);
    FloatVector acc33 = FloatVector.zero(F);
    int kEnd = Math.min(k1, bound);
    for (int k = k0; k < kEnd; k += block) {
      IntVector v0 = IntVector.fromMemorySegment(I, w, w0 + 2L * k, LE);
      IntVector v1 = IntVector.fromMemorySegment(I, w, w1 + 2L * k, LE);
      IntVector v2 = IntVector.fromMemorySegment(I, w, w2 + 2L * k, LE);
      IntVector v3 = IntVector.fromMemorySegment(I, w, w3 + 2L * k, LE);
      FloatVector e0 = bf16Even(v0);
      FloatVector e1 = bf16Even(v1);
      FloatVector e2 = bf16Even(v2);
      FloatVector e3 = bf16Even(v3);
      FloatVector b0 = FloatVector.fromArray(F, xp, x0 + k);
      FloatVector b1 = FloatVector.fromArray(F, xp, x1 + k);
      FloatVector b2 = FloatVector.fromArray(F, xp, x2 + k);
      FloatVector b3 = FloatVector.fromArray(F, xp, x3 + k);
      acc00 = e0.fma(b0, acc00);
      acc01 = e0.fma(b1, acc01);
      acc02 = e0.fma(b2, acc02);
      acc03 = e0.fma(b3, acc03);
      acc10 = e1.fma(b0, acc10);
      acc11 = e1.fma(b1, acc11);
      acc12 = e1.fma(b2, acc12);
      acc13 = e1.fma(b3, acc13);
      acc20 = e2.fma(b0, acc20);
      acc21 = e2.fma(b1, acc21);
      acc22 = e2.fma(b2, acc22);
      acc23 = e2.fma(b3, acc23);
      acc30 = e3.fma(b0, acc30);
      acc31 = e3.fma(b1, acc31);
      acc32 = e3.fma(b2, acc32);
      acc33 = e3.fma(b3, acc33);
      FloatVector o0 = bf16Odd(v0);
      FloatVector o1 = bf16Odd(v1);
      FloatVector o2 = bf16Odd(v2);
      FloatVector o3 = bf16Odd(v3);
      FloatVector c0 = FloatVector.fromArray(F, xp, x0 + k + half);
      FloatVector c1 = FloatVector.fromArray(F, xp, x1 + k + half);
      FloatVector c2 = FloatVector.fromArray(F, xp, x2 + k + half);
      FloatVector c3 = FloatVector.fromArray(F, xp, x3 + k + half);
      acc00 = o0.fma(c0, acc00);
      acc01 = o0.fma(c1, acc01);
      acc02 = o0.fma(c2, acc02);
      acc03 = o0.fma(c3, acc03);
      acc10 = o1.fma(c0, acc10);
      acc11 = o1.fma(c1, acc11);
      acc12 = o1.fma(c2, acc12);
      acc13 = o1.fma(c3, acc13);
      acc20 = o2.fma(c0, acc20);
      acc21 = o2.fma(c1, acc21);
      acc22 = o2.fma(c2, acc22);
      acc23 = o2.fma(c3, acc23);
      acc30 = o3.fma(c0, acc30);
      acc31 = o3.fma(c1, acc31);
      acc32 = o3.fma(c2, acc32);
      acc33 = o3.fma(c3, acc33);
    }
    kEnd = Math.max(kEnd, k0);
    DType type = DType.BF16;
    store(out, rows, r, t, acc00.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t, kEnd, k1), first);
    store(out, rows, r, t + 1, acc01.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t + 1, kEnd, k1), first);
    store(out, rows, r, t + 2, acc02.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t + 2, kEnd, k1), first);
    store(out, rows, r, t + 3, acc03.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t + 3, kEnd, k1), first);
    store(out, rows, r + 1, t, acc10.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t, kEnd, k1), first);
    store(out, rows, r + 1, t + 1, acc11.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t + 1, kEnd, k1), first);
    store(out, rows, r + 1, t + 2, acc12.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t + 2, kEnd, k1), first);
    store(out, rows, r + 1, t + 3, acc13.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t + 3, kEnd, k1), first);
    store(out, rows, r + 2, t, acc20.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t, kEnd, k1), first);
    store(out, rows, r + 2, t + 1, acc21.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t + 1, kEnd, k1), first);
    store(out, rows, r + 2, t + 2, acc22.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t + 2, kEnd, k1), first);
    store(out, rows, r + 2, t + 3, acc23.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t + 3, kEnd, k1), first);
    store(out, rows, r + 3, t, acc30.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t, kEnd, k1), first);
    store(out, rows, r + 3, t + 1, acc31.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t + 1, kEnd, k1), first);
    store(out, rows, r + 3, t + 2, acc32.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t + 2, kEnd, k1), first);
    store(out, rows, r + 3, t + 3, acc33.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t + 3, kEnd, k1), first);
  }

  /**
   * The 4 rows × 4 tokens tile of F16 weights over columns {@code [k0, k1)}; {@code xp} holds each
   * token's activations deinterleaved ({@code bound} per token), {@code x} the original ones for the tail.
   */
  static void tileF16(MemorySegment w, int cols, int rows, float[] xp, int bound, float[] x, int r, int t, int k0, int k1,
      float[] out, boolean first) {
    int half = F.length();
    int block = 2 * half;
    long rowBytes = 2L * cols;
    long w0 = r * rowBytes;
    long w1 = w0 + rowBytes;
    long w2 = w1 + rowBytes;
    long w3 = w2 + rowBytes;
    int x0 = t * bound;
    int x1 = x0 + bound;
    int x2 = x1 + bound;
    int x3 = x2 + bound;
    FloatVector acc00 = FloatVector.zero(F);
    FloatVector acc01 = FloatVector.zero(F);
    FloatVector acc02 = FloatVector.zero(F);
    FloatVector acc03 = FloatVector.zero(F);
    FloatVector acc10 = FloatVector.zero(F);
    FloatVector acc11 = FloatVector.zero(F);
    FloatVector acc12 = FloatVector.zero(F);
    FloatVector acc13 = FloatVector.zero(F);
    FloatVector acc20 = FloatVector.zero(F);
    FloatVector acc21 = FloatVector.zero(F);
    FloatVector acc22 = FloatVector.zero(F);
    FloatVector acc23 = FloatVector.zero(F);
    FloatVector acc30 = FloatVector.zero(F);
    FloatVector acc31 = FloatVector.zero(F);
    FloatVector acc32 = FloatVector.zero(F);
    FloatVector acc33 = FloatVector.zero(F);
    int kEnd = Math.min(k1, bound);
    for (int k = k0; k < kEnd; k += block) {
      IntVector v0 = IntVector.fromMemorySegment(I, w, w0 + 2L * k, LE);
      IntVector v1 = IntVector.fromMemorySegment(I, w, w1 + 2L * k, LE);
      IntVector v2 = IntVector.fromMemorySegment(I, w, w2 + 2L * k, LE);
      IntVector v3 = IntVector.fromMemorySegment(I, w, w3 + 2L * k, LE);
      FloatVector e0 = f16Even(v0);
      FloatVector e1 = f16Even(v1);
      FloatVector e2 = f16Even(v2);
      FloatVector e3 = f16Even(v3);
      FloatVector b0 = FloatVector.fromArray(F, xp, x0 + k);
      FloatVector b1 = FloatVector.fromArray(F, xp, x1 + k);
      FloatVector b2 = FloatVector.fromArray(F, xp, x2 + k);
      FloatVector b3 = FloatVector.fromArray(F, xp, x3 + k);
      acc00 = e0.fma(b0, acc00);
      acc01 = e0.fma(b1, acc01);
      acc02 = e0.fma(b2, acc02);
      acc03 = e0.fma(b3, acc03);
      acc10 = e1.fma(b0, acc10);
      acc11 = e1.fma(b1, acc11);
      acc12 = e1.fma(b2, acc12);
      acc13 = e1.fma(b3, acc13);
      acc20 = e2.fma(b0, acc20);
      acc21 = e2.fma(b1, acc21);
      acc22 = e2.fma(b2, acc22);
      acc23 = e2.fma(b3, acc23);
      acc30 = e3.fma(b0, acc30);
      acc31 = e3.fma(b1, acc31);
      acc32 = e3.fma(b2, acc32);
      acc33 = e3.fma(b3, acc33);
      FloatVector o0 = f16Odd(v0);
      FloatVector o1 = f16Odd(v1);
      FloatVector o2 = f16Odd(v2);
      FloatVector o3 = f16Odd(v3);
      FloatVector c0 = FloatVector.fromArray(F, xp, x0 + k + half);
      FloatVector c1 = FloatVector.fromArray(F, xp, x1 + k + half);
      FloatVector c2 = FloatVector.fromArray(F, xp, x2 + k + half);
      FloatVector c3 = FloatVector.fromArray(F, xp, x3 + k + half);
      acc00 = o0.fma(c0, acc00);
      acc01 = o0.fma(c1, acc01);
      acc02 = o0.fma(c2, acc02);
      acc03 = o0.fma(c3, acc03);
      acc10 = o1.fma(c0, acc10);
      acc11 = o1.fma(c1, acc11);
      acc12 = o1.fma(c2, acc12);
      acc13 = o1.fma(c3, acc13);
      acc20 = o2.fma(c0, acc20);
      acc21 = o2.fma(c1, acc21);
      acc22 = o2.fma(c2, acc22);
      acc23 = o2.fma(c3, acc23);
      acc30 = o3.fma(c0, acc30);
      acc31 = o3.fma(c1, acc31);
      acc32 = o3.fma(c2, acc32);
      acc33 = o3.fma(c3, acc33);
    }
    kEnd = Math.max(kEnd, k0);
    DType type = DType.F16;
    store(out, rows, r, t, acc00.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t, kEnd, k1), first);
    store(out, rows, r, t + 1, acc01.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t + 1, kEnd, k1), first);
    store(out, rows, r, t + 2, acc02.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t + 2, kEnd, k1), first);
    store(out, rows, r, t + 3, acc03.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r, x, t + 3, kEnd, k1), first);
    store(out, rows, r + 1, t, acc10.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t, kEnd, k1), first);
    store(out, rows, r + 1, t + 1, acc11.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t + 1, kEnd, k1), first);
    store(out, rows, r + 1, t + 2, acc12.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t + 2, kEnd, k1), first);
    store(out, rows, r + 1, t + 3, acc13.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 1, x, t + 3, kEnd, k1), first);
    store(out, rows, r + 2, t, acc20.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t, kEnd, k1), first);
    store(out, rows, r + 2, t + 1, acc21.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t + 1, kEnd, k1), first);
    store(out, rows, r + 2, t + 2, acc22.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t + 2, kEnd, k1), first);
    store(out, rows, r + 2, t + 3, acc23.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 2, x, t + 3, kEnd, k1), first);
    store(out, rows, r + 3, t, acc30.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t, kEnd, k1), first);
    store(out, rows, r + 3, t + 1, acc31.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t + 1, kEnd, k1), first);
    store(out, rows, r + 3, t + 2, acc32.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t + 2, kEnd, k1), first);
    store(out, rows, r + 3, t + 3, acc33.reduceLanes(VectorOperators.ADD) + tail(w, type, cols, r + 3, x, t + 3, kEnd, k1), first);
  }
}
