package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaMatVec.LE;
import static tips.drain.kernel.panama.PanamaSpecies.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.DType;

/**
 * The 4 × 4 register tiles of the prefill GEMM ({@link PanamaGemm}): 4 weight rows × 4 tokens in 16
 * vector accumulators, so each weight vector loaded feeds 4 FMAs and each activation vector 4 more
 * (8 loads per 16 FMAs). Written out longhand: Java has no way to keep 16 accumulators in registers
 * other than 16 local variables. 16-bit weights are widened to floats before they reach a tile (see
 * {@link PanamaGemm}): widening inside the tile needs more than the 32 vector registers and measured 4x slower.
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

  /** The 4 rows × 4 tokens tile of F32 weights (in the segment) over columns {@code [k0, k1)}. */
  static void tile(MemorySegment w, int cols, int rows, float[] x, int r, int t, int k0, int k1, float[] out, boolean first) {
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
    store(out, rows, r, t, acc00.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r, x, t, k, k1), first);
    store(out, rows, r, t + 1, acc01.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r, x, t + 1, k, k1), first);
    store(out, rows, r, t + 2, acc02.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r, x, t + 2, k, k1), first);
    store(out, rows, r, t + 3, acc03.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r, x, t + 3, k, k1), first);
    store(out, rows, r + 1, t, acc10.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 1, x, t, k, k1), first);
    store(out, rows, r + 1, t + 1, acc11.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 1, x, t + 1, k, k1), first);
    store(out, rows, r + 1, t + 2, acc12.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 1, x, t + 2, k, k1), first);
    store(out, rows, r + 1, t + 3, acc13.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 1, x, t + 3, k, k1), first);
    store(out, rows, r + 2, t, acc20.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 2, x, t, k, k1), first);
    store(out, rows, r + 2, t + 1, acc21.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 2, x, t + 1, k, k1), first);
    store(out, rows, r + 2, t + 2, acc22.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 2, x, t + 2, k, k1), first);
    store(out, rows, r + 2, t + 3, acc23.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 2, x, t + 3, k, k1), first);
    store(out, rows, r + 3, t, acc30.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 3, x, t, k, k1), first);
    store(out, rows, r + 3, t + 1, acc31.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 3, x, t + 1, k, k1), first);
    store(out, rows, r + 3, t + 2, acc32.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 3, x, t + 2, k, k1), first);
    store(out, rows, r + 3, t + 3, acc33.reduceLanes(VectorOperators.ADD) + tail(w, DType.F32, cols, r + 3, x, t + 3, k, k1), first);
  }

  /**
   * The 4 rows × 4 tokens tile of weights already widened to floats: row {@code r + i} is
   * {@code wp[i*wpStride ..]} from column {@code k0} on, token {@code t + j} is {@code xp[(t+j)*xpStride ..]}
   * (both in the same, possibly deinterleaved, column order), over columns {@code [k0, kEnd)}, a multiple
   * of the vector length. Columns {@code [kEnd, k1)} are added in scalar code from the stored weights.
   */
  static void tile(float[] wp, int wpStride, float[] xp, int xpStride, MemorySegment w, DType type, int cols, int rows, float[] x,
      int r, int t, int k0, int kEnd, int k1, float[] out, boolean first) {
    int lanes = F.length();
    int w0 = -k0;
    int w1 = w0 + wpStride;
    int w2 = w1 + wpStride;
    int w3 = w2 + wpStride;
    int x0 = t * xpStride;
    int x1 = x0 + xpStride;
    int x2 = x1 + xpStride;
    int x3 = x2 + xpStride;
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
    for (int k = k0; k < kEnd; k += lanes) {
      FloatVector a0 = FloatVector.fromArray(F, wp, w0 + k);
      FloatVector a1 = FloatVector.fromArray(F, wp, w1 + k);
      FloatVector a2 = FloatVector.fromArray(F, wp, w2 + k);
      FloatVector a3 = FloatVector.fromArray(F, wp, w3 + k);
      FloatVector b0 = FloatVector.fromArray(F, xp, x0 + k);
      FloatVector b1 = FloatVector.fromArray(F, xp, x1 + k);
      FloatVector b2 = FloatVector.fromArray(F, xp, x2 + k);
      FloatVector b3 = FloatVector.fromArray(F, xp, x3 + k);
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
