package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;
import static tips.drain.quant.panama.PanamaQuantSpecies.HS;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import tips.drain.quant.Q8Activations;

/**
 * MXFP4 weights × Q8_0 activations (GPT-OSS's experts). A block is an E8M0 scale byte and 16 bytes whose low
 * nibbles are elements 0..15 and high nibbles 16..31, laid out as Q4_0's, so the nibbles are unpacked and multiplied
 * as {@link PanamaQ4} does; each 4-bit E2M1 code becomes its doubled value (0, 1, 2, 3, 4, 6, 8, 12, negated when the
 * sign bit is set) by arithmetic in the 16-bit lanes instead of a table: magnitudes {@code m < 4} are themselves, the
 * others {@code (2 + (m & 1)) << ((m >> 1) - 1)}. The block's scale is {@code 2^(e - 128)} times the activations'.
 */
final class PanamaMxfp4 {
  static final int BLOCK_BYTES = 17;
  /** Vector steps per block of 16 bytes: 1 at 512 bits, 2 at 256 and 128. */
  private static final int STEPS = 16 / HS.length();

  private PanamaMxfp4() {}

  static void matvec(MemorySegment w, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / 32;
    long rowBytes = (long) blocks * BLOCK_BYTES;
    for (int r = rowFrom; r < rowTo; r++) {
      out[r] = dot(w, r * rowBytes, blocks, x, 0, 0);
    }
  }

  static void matmul(MemorySegment w, int rows, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / 32;
    long rowBytes = (long) blocks * BLOCK_BYTES;
    int rowBlock = PanamaQuantKernels.rowBlock(rowBytes);
    for (int r0 = rowFrom; r0 < rowTo; r0 += rowBlock) {
      int r1 = Math.min(rowTo, r0 + rowBlock);
      for (int b = 0; b < x.batch(); b++) {
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
    FloatVector acc = FloatVector.zero(F);
    for (int k = 0; k < blocks; k++) {
      long o = row + (long) k * BLOCK_BYTES;
      float d = Math.scalb(1f, (w.get(ValueLayout.JAVA_BYTE, o) & 0xFF) - 128) * scales[sOff + k];
      FloatVector s = FloatVector.broadcast(F, d);
      for (int j = 0; j < STEPS; j++) {
        ShortVector bytes = PanamaQ4.bytes(w, o + 1 + (long) j * HS.length());
        ShortVector lo = decode(bytes.and((short) 0x0F));
        ShortVector hi = decode(bytes.lanewise(VectorOperators.LSHR, 4));
        acc = PanamaQ4.multiplyAdd(lo, hi, values, xOff + 32 * k + j * HS.length(), s, acc);
      }
    }
    return PanamaQuantLaneSums.sum(acc);
  }

  /** E2M1 codes (0..15) to their doubled values: -12..12. */
  static ShortVector decode(ShortVector code) {
    ShortVector m = code.and((short) 7);
    // m >= 4: (2 + (m & 1)) << ((m >> 1) - 1); the shift of m < 4 is garbage and blended away
    ShortVector large = m.and((short) 1).add((short) 2).lanewise(VectorOperators.LSHL,
        m.lanewise(VectorOperators.LSHR, 1).sub((short) 1));
    ShortVector magnitude = m.blend(large, m.compare(VectorOperators.GE, (short) 4));
    return magnitude.blend(magnitude.neg(), code.compare(VectorOperators.GE, (short) 8));
  }
}
