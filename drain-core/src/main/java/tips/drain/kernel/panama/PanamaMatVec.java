package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaHalfFloats.bf16Even;
import static tips.drain.kernel.panama.PanamaHalfFloats.bf16Odd;
import static tips.drain.kernel.panama.PanamaHalfFloats.f16Even;
import static tips.drain.kernel.panama.PanamaHalfFloats.f16Odd;
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
 * bound by memory bandwidth, so each row is one sequential stream of weight loads feeding four
 * independent accumulators; 16-bit weights are widened two per int lane (see {@link PanamaHalfFloats})
 * against activations reordered once per call.
 *
 * <p>One row at a time measured faster than two or four rows sharing the activation loads: the
 * activations stay in L1 either way, and a single stream keeps the hardware prefetcher ahead.
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
        for (int r = rowFrom; r < rowTo; r++) {
          out[r] = dotF32(w, (long) r * cols * Float.BYTES, x, 0, cols);
        }
      }
      case BF16, F16 -> {
        int bound = cols - cols % PanamaHalfFloats.block();
        float[] xp = scratch(bound);
        PanamaHalfFloats.deinterleave(x, 0, bound, xp, 0);
        boolean f16 = type == DType.F16;
        for (int r = rowFrom; r < rowTo; r++) {
          long base = (long) r * cols * Short.BYTES;
          out[r] = f16 ? dotF16(w, base, xp, 0, x, 0, cols) : dotBf16(w, base, xp, 0, x, 0, cols);
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
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    int i = 0;
    for (; i <= cols - 4 * lanes; i += 4 * lanes) {
      long o = base + 4L * i;
      acc0 = FloatVector.fromMemorySegment(F, w, o, LE).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
      acc1 = FloatVector.fromMemorySegment(F, w, o + 4L * lanes, LE).fma(FloatVector.fromArray(F, x, xOff + i + lanes), acc1);
      acc2 = FloatVector.fromMemorySegment(F, w, o + 8L * lanes, LE).fma(FloatVector.fromArray(F, x, xOff + i + 2 * lanes), acc2);
      acc3 = FloatVector.fromMemorySegment(F, w, o + 12L * lanes, LE).fma(FloatVector.fromArray(F, x, xOff + i + 3 * lanes), acc3);
    }
    for (; i <= cols - lanes; i += lanes) {
      acc0 = FloatVector.fromMemorySegment(F, w, base + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
    }
    float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < cols; i++) {
      sum += w.get(F32, base + 4L * i) * x[xOff + i];
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

  /** As {@link #dotBf16} for F16 weights. */
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
