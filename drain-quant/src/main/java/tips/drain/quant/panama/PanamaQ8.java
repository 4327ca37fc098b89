package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.B;
import static tips.drain.quant.panama.PanamaQuantSpecies.F;
import static tips.drain.quant.panama.PanamaQuantSpecies.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import tips.drain.quant.Q8Activations;

/**
 * Q8_0 weights × Q8_0 activations. A block is an F16 scale and 32 int8; per block the int8 are widened to
 * 16-bit lanes and multiplied with the activations' (already 16-bit) values, adjacent products are summed
 * into 32-bit lanes (a product fits 15 bits, a pair 16), and those become floats scaled by
 * {@code weightScale * activationScale} into float accumulators. Nothing is reduced across lanes until the
 * row ends.
 */
final class PanamaQ8 {
  static final int BLOCK_BYTES = 34;
  /** Vector steps per block of 32 weights: 1 at 512 bits, 2 at 256, 4 at 128. */
  static final int STEPS = 32 / S.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED;

  private PanamaQ8() {}

  /**
   * Decode: two rows per pass, one from each half of [rowFrom, rowTo) so each stays a sequential stream,
   * sharing each activation load; an odd last row goes with itself.
   */
  static void matvec(MemorySegment w, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / 32;
    long rowBytes = (long) blocks * BLOCK_BYTES;
    short[] values = x.values();
    float[] scales = x.scales();
    int half = (rowTo - rowFrom) / 2;
    for (int r = rowFrom; r < rowFrom + half; r++) {
      dot2(w, r * rowBytes, (r + half) * rowBytes, blocks, values, scales, out, r, r + half);
    }
    if ((rowTo - rowFrom) % 2 != 0) {
      // paired with itself, so that its sum is added up as in any pair, whatever range the row falls in
      long last = (rowTo - 1) * rowBytes;
      dot2(w, last, last, blocks, values, scales, out, rowTo - 1, rowTo - 1);
    }
  }

  /** Rows at bytes {@code rowA} and {@code rowB} dotted with the one activation vector; results to {@code out[a]}, {@code out[b]}. */
  private static void dot2(MemorySegment w, long rowA, long rowB, int blocks, short[] values, float[] scales,
      float[] out, int a, int b) {
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = a0;
    FloatVector b0 = a0;
    FloatVector b1 = a0;
    int k = 0;
    for (; k + 2 <= blocks; k += 2) {
      long oa = rowA + (long) k * BLOCK_BYTES;
      long ob = rowB + (long) k * BLOCK_BYTES;
      float x0 = scales[k];
      float x1 = scales[k + 1];
      int xi = 32 * k;
      if (STEPS == 1) { // written out, as in dot4
        ShortVector v0 = ShortVector.fromArray(S, values, xi);
        ShortVector v1 = ShortVector.fromArray(S, values, xi + 32);
        a0 = multiplyAdd(weights(w, oa + 2), v0, FloatVector.broadcast(F, f16(w, oa) * x0), a0);
        b0 = multiplyAdd(weights(w, ob + 2), v0, FloatVector.broadcast(F, f16(w, ob) * x0), b0);
        a1 = multiplyAdd(weights(w, oa + BLOCK_BYTES + 2), v1, FloatVector.broadcast(F, f16(w, oa + BLOCK_BYTES) * x1), a1);
        b1 = multiplyAdd(weights(w, ob + BLOCK_BYTES + 2), v1, FloatVector.broadcast(F, f16(w, ob + BLOCK_BYTES) * x1), b1);
        continue;
      }
      a0 = block(w, oa, values, xi, f16(w, oa) * x0, a0);
      b0 = block(w, ob, values, xi, f16(w, ob) * x0, b0);
      a1 = block(w, oa + BLOCK_BYTES, values, xi + 32, f16(w, oa + BLOCK_BYTES) * x1, a1);
      b1 = block(w, ob + BLOCK_BYTES, values, xi + 32, f16(w, ob + BLOCK_BYTES) * x1, b1);
    }
    for (; k < blocks; k++) {
      long oa = rowA + (long) k * BLOCK_BYTES;
      long ob = rowB + (long) k * BLOCK_BYTES;
      a0 = block(w, oa, values, 32 * k, f16(w, oa) * scales[k], a0);
      b0 = block(w, ob, values, 32 * k, f16(w, ob) * scales[k], b0);
    }
    out[a] = PanamaQuantLaneSums.sum(a0.add(a1));
    out[b] = PanamaQuantLaneSums.sum(b0.add(b1));
  }

  /**
   * Prefill, tiled for the caches: the rows go in blocks of about {@link PanamaQuantKernels#ROW_BLOCK_BYTES}
   * (they stay in L2) and, within a block, each row meets four tokens at a time, so a weight block is loaded
   * and widened once per four tokens and those tokens' activations stay in L1 across the rows. Weights
   * come from memory once per product; leftover tokens go one by one.
   */
  static void matmul(MemorySegment w, int rows, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / 32;
    int batch = x.batch();
    short[] values = x.values();
    float[] scales = x.scales();
    long rowBytes = (long) blocks * BLOCK_BYTES;
    int rowBlock = PanamaQuantKernels.rowBlock(rowBytes);
    for (int r0 = rowFrom; r0 < rowTo; r0 += rowBlock) {
      int r1 = Math.min(rowTo, r0 + rowBlock);
      int b = 0;
      for (; b + 4 <= batch; b += 4) {
        for (int r = r0; r < r1; r++) {
          dot4(w, r * rowBytes, blocks, values, b * cols, cols, scales, b * blocks, out, b * rows + r, rows);
        }
      }
      for (; b < batch; b++) {
        for (int r = r0; r < r1; r++) {
          out[b * rows + r] = dot(w, r * rowBytes, blocks, values, b * cols, scales, b * blocks);
        }
      }
    }
  }

  /** One row (at byte {@code row}) dotted with the activation vector at {@code values[xOff]}, {@code scales[sOff]}. */
  static float dot(MemorySegment w, long row, int blocks, short[] values, int xOff, float[] scales, int sOff) {
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    int k = 0;
    // four blocks per iteration, their scales first: four independent chains keep the multipliers busy
    for (; k + 4 <= blocks; k += 4) {
      long o = row + (long) k * BLOCK_BYTES;
      float s0 = f16(w, o) * scales[sOff + k];
      float s1 = f16(w, o + BLOCK_BYTES) * scales[sOff + k + 1];
      float s2 = f16(w, o + 2 * BLOCK_BYTES) * scales[sOff + k + 2];
      float s3 = f16(w, o + 3 * BLOCK_BYTES) * scales[sOff + k + 3];
      int xi = xOff + 32 * k;
      acc0 = block(w, o, values, xi, s0, acc0);
      acc1 = block(w, o + BLOCK_BYTES, values, xi + 32, s1, acc1);
      acc2 = block(w, o + 2 * BLOCK_BYTES, values, xi + 64, s2, acc2);
      acc3 = block(w, o + 3 * BLOCK_BYTES, values, xi + 96, s3, acc3);
    }
    for (; k < blocks; k++) {
      long o = row + (long) k * BLOCK_BYTES;
      acc0 = block(w, o, values, xOff + 32 * k, f16(w, o) * scales[sOff + k], acc0);
    }
    return acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
  }

  /** One row against four consecutive activation vectors; results go to {@code out[outIndex + t * stride]}. */
  private static void dot4(MemorySegment w, long row, int blocks, short[] values, int xOff, int cols, float[] scales,
      int sOff, float[] out, int outIndex, int stride) {
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    for (int k = 0; k < blocks; k++) {
      long o = row + (long) k * BLOCK_BYTES;
      float d = f16(w, o);
      FloatVector s0 = FloatVector.broadcast(F, d * scales[sOff + k]);
      FloatVector s1 = FloatVector.broadcast(F, d * scales[sOff + blocks + k]);
      FloatVector s2 = FloatVector.broadcast(F, d * scales[sOff + 2 * blocks + k]);
      FloatVector s3 = FloatVector.broadcast(F, d * scales[sOff + 3 * blocks + k]);
      int xi = xOff + 32 * k;
      if (STEPS == 1) { // written out: 11% faster than the loop below at one trip (JDK 25)
        ShortVector q = weights(w, o + 2);
        acc0 = multiplyAdd(q, ShortVector.fromArray(S, values, xi), s0, acc0);
        acc1 = multiplyAdd(q, ShortVector.fromArray(S, values, xi + cols), s1, acc1);
        acc2 = multiplyAdd(q, ShortVector.fromArray(S, values, xi + 2 * cols), s2, acc2);
        acc3 = multiplyAdd(q, ShortVector.fromArray(S, values, xi + 3 * cols), s3, acc3);
        continue;
      }
      for (int j = 0; j < STEPS; j++) {
        ShortVector q = weights(w, o + 2 + (long) j * S.length());
        int xj = xi + j * S.length();
        acc0 = multiplyAdd(q, ShortVector.fromArray(S, values, xj), s0, acc0);
        acc1 = multiplyAdd(q, ShortVector.fromArray(S, values, xj + cols), s1, acc1);
        acc2 = multiplyAdd(q, ShortVector.fromArray(S, values, xj + 2 * cols), s2, acc2);
        acc3 = multiplyAdd(q, ShortVector.fromArray(S, values, xj + 3 * cols), s3, acc3);
      }
    }
    out[outIndex] = acc0.reduceLanes(VectorOperators.ADD);
    out[outIndex + stride] = acc1.reduceLanes(VectorOperators.ADD);
    out[outIndex + 2 * stride] = acc2.reduceLanes(VectorOperators.ADD);
    out[outIndex + 3 * stride] = acc3.reduceLanes(VectorOperators.ADD);
  }

  /** {@code acc + scale * (block at o) · values[xi .. xi + 32)}. */
  static FloatVector block(MemorySegment w, long o, short[] values, int xi, float scale, FloatVector acc) {
    if (STEPS == 1) {
      // the 512-bit case written out: a loop, even of one trip, or helper calls here cost 15-20% (JDK 25)
      ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B, w, o + 2, LE).convertShape(VectorOperators.B2S, S, 0);
      IntVector p = q.mul(ShortVector.fromArray(S, values, xi)).reinterpretAsInts();
      IntVector pairs = p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
      return ((FloatVector) pairs.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale), acc);
    }
    FloatVector s = FloatVector.broadcast(F, scale);
    for (int j = 0; j < STEPS; j++) {
      ShortVector q = weights(w, o + 2 + (long) j * S.length());
      acc = multiplyAdd(q, ShortVector.fromArray(S, values, xi + j * S.length()), s, acc);
    }
    return acc;
  }

  /** {@link S}-many int8 weights at byte {@code o}, widened to shorts. */
  static ShortVector weights(MemorySegment w, long o) {
    return (ShortVector) ByteVector.fromMemorySegment(B, w, o, LE).convertShape(VectorOperators.B2S, S, 0);
  }

  /** {@code acc + scale * pairwiseSums(q * x)}: the products in 16-bit lanes, adjacent pairs summed in 32-bit lanes. */
  static FloatVector multiplyAdd(ShortVector q, ShortVector x, FloatVector scale, FloatVector acc) {
    IntVector p = q.mul(x).reinterpretAsInts();
    // an int lane holds two products, hi·2¹⁶ + lo (lo as unsigned); adding lo·2¹⁶ and shifting back down
    // leaves hi + lo, sign and carry included, with no cross-lane shuffle (widening both halves needs one)
    IntVector pairs = p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
    return ((FloatVector) pairs.convert(VectorOperators.I2F, 0)).fma(scale, acc);
  }

  static float f16(MemorySegment w, long o) {
    return Float.float16ToFloat(w.get(F16, o));
  }
}
