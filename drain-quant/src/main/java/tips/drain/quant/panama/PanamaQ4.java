package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;
import static tips.drain.quant.panama.PanamaQuantSpecies.HB;
import static tips.drain.quant.panama.PanamaQuantSpecies.HS;
import static tips.drain.quant.panama.PanamaQuantSpecies.HS_PARTS;
import static tips.drain.quant.panama.PanamaQuantSpecies.I;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import tips.drain.quant.Q4_0Order;
import tips.drain.quant.Q8Activations;

/**
 * Q4_0 weights × Q8_0 activations. A block is an F16 scale and 16 bytes whose low nibbles are elements
 * 0..15 and high nibbles 16..31, each {@code q - 8}. The bytes are widened to 16-bit lanes once; the low
 * nibbles multiply activations 0..15 and the high nibbles 16..31 in the same lanes, so the two products
 * add up in place (at most 2·15·127) before becoming 32-bit and then float. The {@code - 8} is not applied
 * per weight: {@code Σ(q - 8)·x = Σq·x - 8·Σx}, and {@code Σx} per block comes with the activations.
 */
final class PanamaQ4 {
  static final int BLOCK_BYTES = 18;
  /** Vector steps per block of 16 bytes: 1 at 512 bits, 2 at 256 and 128. */
  private static final int STEPS = 16 / HS.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private PanamaQ4() {}

  static void matvec(MemorySegment w, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / 32;
    int groups = PanamaQ4Groups.groups(cols);
    if (groups == 0) {
      for (int r = rowFrom; r < rowTo; r++) {
        out[r] = dot(w, (long) r * blocks * BLOCK_BYTES, blocks, x, 0, 0);
      }
      return;
    }
    Q4_0Order layout = x.q4Order() != null && x.q4Order().groups() == groups ? x.q4Order() : PanamaQ4Groups.order(x, groups);
    long rowBytes = (long) blocks * BLOCK_BYTES;
    int done = groups * PanamaQ4Groups.BLOCKS;
    if (done < blocks) {
      for (int r = rowFrom; r < rowTo; r++) {
        out[r] = dot(w, r * rowBytes + (long) done * BLOCK_BYTES, blocks - done, x, 32 * done, done);
      }
    } else {
      Arrays.fill(out, rowFrom, rowTo, 0f);
    }
    int rowsPerSlice = (int) Math.max(4, Integer.MAX_VALUE / rowBytes / 4 * 4);
    for (int from = rowFrom; from < rowTo; from += rowsPerSlice) {
      groupedRows(w, rowBytes, groups, layout, out, from, Math.min(rowTo, from + rowsPerSlice));
    }
  }

  /**
   * Adds the grouped part of rows {@code [from, to)} to {@code out}: four rows per pass, one from each
   * quarter of the range (four sequential streams sharing the activation loads), the last one to three rows
   * after. The rows are one slice of under 2 GB, so the kernel's offsets are ints and C2 hoists their bounds
   * checks out of the loop.
   */
  private static void groupedRows(MemorySegment w, long rowBytes, int groups, Q4_0Order layout, float[] out, int from, int to) {
    MemorySegment rows = w.asSlice(from * rowBytes, (to - from) * rowBytes);
    int stride = (int) rowBytes;
    int quarter = (to - from) / 4;
    for (int i = 0; i < quarter; i++) {
      int a = i;
      int b = i + quarter;
      int c = i + 2 * quarter;
      int d = i + 3 * quarter;
      PanamaQ4Groups.dot4(rows, a * stride, b * stride, c * stride, d * stride, groups, layout, out, from + a, from + b, from + c, from + d);
    }
    lastRows(rows, stride, groups, layout, out, from, from + 4 * quarter, to);
  }

  /** Rows {@code [first, to)}, fewer than four, through the four-row kernel (the last one repeated), which sums each row as for any other. */
  private static void lastRows(MemorySegment rows, int stride, int groups, Q4_0Order layout, float[] out, int from, int first, int to) {
    if (first == to) {
      return;
    }
    float[] sums = new float[4];
    int[] at = new int[4];
    for (int i = 0; i < 4; i++) {
      at[i] = (Math.min(first + i, to - 1) - from) * stride;
    }
    PanamaQ4Groups.dot4(rows, at[0], at[1], at[2], at[3], groups, layout, sums, 0, 1, 2, 3);
    for (int r = first; r < to; r++) {
      out[r] += sums[r - first];
    }
  }

  /** Makes decode's activation order ({@link Q4_0Order}) once per product, when the grouped kernel runs. */
  static void prepare(Q8Activations x) {
    int groups = PanamaQ4Groups.groups(x.cols());
    if (groups > 0) {
      x.q4Order(PanamaQ4Groups.order(x, groups));
    }
  }

  /** Prefill, tiled as {@link PanamaQ8#matmul}: a block is unpacked once per four tokens. */
  static void matmul(MemorySegment w, int rows, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / 32;
    int batch = x.batch();
    long rowBytes = (long) blocks * BLOCK_BYTES;
    int rowBlock = PanamaQuantKernels.rowBlock(rowBytes);
    for (int r0 = rowFrom; r0 < rowTo; r0 += rowBlock) {
      int r1 = Math.min(rowTo, r0 + rowBlock);
      int b = 0;
      for (; b + 4 <= batch; b += 4) {
        for (int r = r0; r < r1; r++) {
          dot4(w, r * rowBytes, blocks, x, b, out, b * rows + r, rows);
        }
      }
      for (; b < batch; b++) {
        for (int r = r0; r < r1; r++) {
          out[b * rows + r] = dot(w, r * rowBytes, blocks, x, b * cols, b * blocks);
        }
      }
    }
  }

  /** One row (at byte {@code row}) dotted with the activation vector whose values start at {@code xOff}, scales at {@code sOff}. */
  static float dot(MemorySegment w, long row, int blocks, Q8Activations x, int xOff, int sOff) {
    short[] values = x.values();
    float[] scales = x.scales();
    float[] sums = x.sums();
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    float offset = 0f;
    int k = 0;
    for (; k + 2 <= blocks; k += 2) {
      long o = row + (long) k * BLOCK_BYTES;
      float s0 = PanamaQ8.f16(w, o) * scales[sOff + k];
      float s1 = PanamaQ8.f16(w, o + BLOCK_BYTES) * scales[sOff + k + 1];
      offset = Math.fma(s0, sums[sOff + k], offset);
      offset = Math.fma(s1, sums[sOff + k + 1], offset);
      acc0 = block(w, o, values, xOff + 32 * k, s0, acc0);
      acc1 = block(w, o + BLOCK_BYTES, values, xOff + 32 * k + 32, s1, acc1);
    }
    for (; k < blocks; k++) {
      long o = row + (long) k * BLOCK_BYTES;
      float s = PanamaQ8.f16(w, o) * scales[sOff + k];
      offset = Math.fma(s, sums[sOff + k], offset);
      acc0 = block(w, o, values, xOff + 32 * k, s, acc0);
    }
    return PanamaQuantLaneSums.sum(acc0.add(acc1)) - 8f * offset;
  }

  /** One row against activation vectors {@code b .. b + 3}; results go to {@code out[outIndex + t * stride]}. */
  private static void dot4(MemorySegment w, long row, int blocks, Q8Activations x, int b, float[] out, int outIndex, int stride) {
    short[] values = x.values();
    float[] scales = x.scales();
    float[] sums = x.sums();
    int cols = 32 * blocks;
    int xOff = b * cols;
    int sOff = b * blocks;
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    float offset0 = 0f;
    float offset1 = 0f;
    float offset2 = 0f;
    float offset3 = 0f;
    for (int k = 0; k < blocks; k++) {
      long o = row + (long) k * BLOCK_BYTES;
      float d = PanamaQ8.f16(w, o);
      float d0 = d * scales[sOff + k];
      float d1 = d * scales[sOff + blocks + k];
      float d2 = d * scales[sOff + 2 * blocks + k];
      float d3 = d * scales[sOff + 3 * blocks + k];
      offset0 = Math.fma(d0, sums[sOff + k], offset0);
      offset1 = Math.fma(d1, sums[sOff + blocks + k], offset1);
      offset2 = Math.fma(d2, sums[sOff + 2 * blocks + k], offset2);
      offset3 = Math.fma(d3, sums[sOff + 3 * blocks + k], offset3);
      FloatVector s0 = FloatVector.broadcast(F, d0);
      FloatVector s1 = FloatVector.broadcast(F, d1);
      FloatVector s2 = FloatVector.broadcast(F, d2);
      FloatVector s3 = FloatVector.broadcast(F, d3);
      int xi = xOff + 32 * k;
      for (int j = 0; j < STEPS; j++) {
        ShortVector bytes = bytes(w, o + 2 + (long) j * HS.length());
        ShortVector lo = bytes.and((short) 0x0F);
        ShortVector hi = bytes.lanewise(VectorOperators.LSHR, 4);
        int xj = xi + j * HS.length();
        acc0 = multiplyAdd(lo, hi, values, xj, s0, acc0);
        acc1 = multiplyAdd(lo, hi, values, xj + cols, s1, acc1);
        acc2 = multiplyAdd(lo, hi, values, xj + 2 * cols, s2, acc2);
        acc3 = multiplyAdd(lo, hi, values, xj + 3 * cols, s3, acc3);
      }
    }
    out[outIndex] = acc0.reduceLanes(VectorOperators.ADD) - 8f * offset0;
    out[outIndex + stride] = acc1.reduceLanes(VectorOperators.ADD) - 8f * offset1;
    out[outIndex + 2 * stride] = acc2.reduceLanes(VectorOperators.ADD) - 8f * offset2;
    out[outIndex + 3 * stride] = acc3.reduceLanes(VectorOperators.ADD) - 8f * offset3;
  }

  /** {@code acc + scale * Σ q·x} over the block at {@code o} (nibbles as stored, 0..15) and {@code values[xi .. xi + 32)}. */
  private static FloatVector block(MemorySegment w, long o, short[] values, int xi, float scale, FloatVector acc) {
    if (STEPS == 1 && HS_PARTS == 1) {
      // the 512-bit case written out: a loop, even of one trip, or helper calls here cost 15-20% (JDK 25)
      ShortVector bytes = (ShortVector) ByteVector.fromMemorySegment(HB, w, o + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, HS, 0);
      ShortVector lo = bytes.and((short) 0x0F);
      ShortVector hi = bytes.lanewise(VectorOperators.LSHR, 4);
      ShortVector p = lo.mul(ShortVector.fromArray(HS, values, xi)).add(hi.mul(ShortVector.fromArray(HS, values, xi + 16)));
      IntVector dots = (IntVector) p.convertShape(VectorOperators.S2I, I, 0);
      return ((FloatVector) dots.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale), acc);
    }
    FloatVector s = FloatVector.broadcast(F, scale);
    for (int j = 0; j < STEPS; j++) {
      ShortVector bytes = bytes(w, o + 2 + (long) j * HS.length());
      ShortVector lo = bytes.and((short) 0x0F);
      ShortVector hi = bytes.lanewise(VectorOperators.LSHR, 4);
      acc = multiplyAdd(lo, hi, values, xi + j * HS.length(), s, acc);
    }
    return acc;
  }

  /** {@link HS}-many packed bytes at {@code o}, zero-extended to shorts: {@code b & 0xF} and {@code b >>> 4} are the nibbles. */
  static ShortVector bytes(MemorySegment w, long o) {
    return (ShortVector) ByteVector.fromMemorySegment(HB, w, o, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, HS, 0);
  }

  /** {@code acc + scale * (lo·x[xi ..] + hi·x[xi + 16 ..])}, the sums widened to 32-bit lanes. */
  static FloatVector multiplyAdd(ShortVector lo, ShortVector hi, short[] values, int xi, FloatVector scale, FloatVector acc) {
    ShortVector p = lo.mul(ShortVector.fromArray(HS, values, xi)).add(hi.mul(ShortVector.fromArray(HS, values, xi + 16)));
    IntVector dots = (IntVector) p.convertShape(VectorOperators.S2I, I, 0);
    if (HS_PARTS == 2) {
      dots = dots.add((IntVector) p.convertShape(VectorOperators.S2I, I, 1));
    }
    return ((FloatVector) dots.convert(VectorOperators.I2F, 0)).fma(scale, acc);
  }
}
