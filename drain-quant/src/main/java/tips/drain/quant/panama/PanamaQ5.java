package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;
import static tips.drain.quant.panama.PanamaQuantSpecies.HB;
import static tips.drain.quant.panama.PanamaQuantSpecies.HS;
import static tips.drain.quant.panama.PanamaQuantSpecies.HS_PARTS;
import static tips.drain.quant.panama.PanamaQuantSpecies.I;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import tips.drain.quant.Q8Activations;
import tips.drain.quant.QuantFormat;

/**
 * Q5_0, Q4_1 and Q5_1 weights × Q8_0 / Q8_1 activations: Q4_0's loop ({@link PanamaQ4}) with a fifth bit and
 * a minimum. A block's 16 bytes of nibbles are widened to 16-bit lanes once; Q5's fifth bits come from the
 * block's 32-bit {@code qh}, shifted right by each lane's element index. The low halves multiply activations
 * 0..15 and the high halves 16..31 in the same lanes (at most 2·31·127 together). Neither Q5_0's {@code -16}
 * nor the minimum of Q4_1 / Q5_1 is applied per weight: {@code -16·d·dx·Σx} comes from the activations' block
 * sums and {@code m·s} from Q8_1's {@code s}, once per block.
 */
final class PanamaQ5 {
  private static final int STEPS = 16 / HS.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
  /** Lane {@code i}: {@code i}, the element index within a step, for the per-lane shifts of the fifth bits. */
  private static final ShortVector LANES = (ShortVector) ShortVector.zero(HS).addIndex(1);

  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  /** Int vectors that 16 bytes widen to. */
  private static final int PARTS = 16 / I.length();
  /** Lane {@code i}: {@code i}, for the fifth bits of the int lanes the rows are dequantized in. */
  private static final IntVector INT_LANES = (IntVector) IntVector.zero(I).addIndex(1);

  private PanamaQ5() {}

  /**
   * Rows {@code [rowFrom, rowTo)} as floats, row after row from byte 0 of {@code dst}: {@code (q - 16)·d} or
   * {@code q·d + m}, computed as the format table computes them.
   */
  static void dequantize(QuantFormat format, MemorySegment w, int cols, int rowFrom, int rowTo, MemorySegment dst) {
    int blocks = cols / 32;
    int blockBytes = format.blockBytes();
    boolean withMin = format != QuantFormat.Q5_0;
    boolean five = format != QuantFormat.Q4_1;
    int nibbles = nibbles(format);
    for (int r = rowFrom; r < rowTo; r++) {
      long to = (long) (r - rowFrom) * cols * Float.BYTES;
      for (int k = 0; k < blocks; k++) {
        long o = ((long) r * blocks + k) * blockBytes;
        FloatVector d = FloatVector.broadcast(F, PanamaQ8.f16(w, o));
        FloatVector m = FloatVector.broadcast(F, withMin ? PanamaQ8.f16(w, o + 2) : 0f);
        int qh = five ? w.get(U32, o + nibbles - 4) : 0;
        ByteVector bytes = ByteVector.fromMemorySegment(B16, w, o + nibbles, LE);
        for (int p = 0; p < PARTS; p++) {
          IntVector b = (IntVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
          IntVector lo = b.and(0x0F);
          IntVector hi = b.lanewise(VectorOperators.LSHR, 4);
          if (five) {
            IntVector shifts = INT_LANES.add(p * I.length());
            lo = lo.or(IntVector.broadcast(I, qh).lanewise(VectorOperators.LSHR, shifts).and(1).lanewise(VectorOperators.LSHL, 4));
            hi = hi.or(IntVector.broadcast(I, qh >>> 16).lanewise(VectorOperators.LSHR, shifts).and(1).lanewise(VectorOperators.LSHL, 4));
          }
          if (!withMin) {
            lo = lo.sub(16);
            hi = hi.sub(16);
          }
          FloatVector low = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).mul(d);
          FloatVector high = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).mul(d);
          if (withMin) {
            low = low.add(m);
            high = high.add(m);
          }
          low.intoMemorySegment(dst, to + 4L * (32 * k + p * I.length()), LE);
          high.intoMemorySegment(dst, to + 4L * (32 * k + 16 + p * I.length()), LE);
        }
      }
    }
  }

  /** Where a block's 16 bytes of nibbles start; the 32 fifth bits are the 4 bytes before (Q5_0, Q5_1). */
  private static int nibbles(QuantFormat format) {
    return switch (format) {
      case Q5_0 -> 6;
      case Q4_1 -> 4;
      default -> 8;
    };
  }

  static void matvec(QuantFormat format, MemorySegment w, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / 32;
    long rowBytes = (long) blocks * format.blockBytes();
    for (int r = rowFrom; r < rowTo; r++) {
      out[r] = dot(format, w, r * rowBytes, blocks, x, 0, 0);
    }
  }

  /** Prefill of a small batch (the tiled F32 path takes larger ones): every vector of {@code x}, row by row. */
  static void matmul(QuantFormat format, MemorySegment w, int rows, int cols, Q8Activations x, float[] out, int rowFrom, int rowTo) {
    int blocks = cols / 32;
    long rowBytes = (long) blocks * format.blockBytes();
    for (int b = 0; b < x.batch(); b++) {
      for (int r = rowFrom; r < rowTo; r++) {
        out[b * rows + r] = dot(format, w, r * rowBytes, blocks, x, b * cols, b * blocks);
      }
    }
  }

  /** One row (at byte {@code row}) dotted with the activation vector whose values start at {@code xOff}, scales at {@code sOff}. */
  static float dot(QuantFormat format, MemorySegment w, long row, int blocks, Q8Activations x, int xOff, int sOff) {
    short[] values = x.values();
    float[] scales = x.scales();
    float[] sums = x.sums();
    float[] sumScales = x.sumScales();
    boolean withMin = format != QuantFormat.Q5_0;
    boolean five = format != QuantFormat.Q4_1;
    int blockBytes = format.blockBytes();
    int nibbles = nibbles(format);
    FloatVector acc = FloatVector.zero(F);
    float correction = 0f;
    for (int k = 0; k < blocks; k++) {
      long o = row + (long) k * blockBytes;
      float s = PanamaQ8.f16(w, o) * scales[sOff + k];
      if (withMin) {
        correction = Math.fma(PanamaQ8.f16(w, o + 2), sumScales[sOff + k], correction);
      } else {
        correction = Math.fma(-16f * s, sums[sOff + k], correction);
      }
      int qh = five ? w.get(U32, o + nibbles - 4) : 0;
      FloatVector scale = FloatVector.broadcast(F, s);
      int xi = xOff + 32 * k;
      for (int j = 0; j < STEPS; j++) {
        ShortVector bytes = (ShortVector) ByteVector.fromMemorySegment(HB, w, o + nibbles + (long) j * HS.length(), LE)
            .convertShape(VectorOperators.ZERO_EXTEND_B2S, HS, 0);
        ShortVector lo = bytes.and((short) 0x0F);
        ShortVector hi = bytes.lanewise(VectorOperators.LSHR, 4);
        if (five) {
          ShortVector shifts = LANES.add((short) (j * HS.length()));
          lo = lo.or(ShortVector.broadcast(HS, (short) qh).lanewise(VectorOperators.LSHR, shifts).and((short) 1).lanewise(VectorOperators.LSHL, 4));
          hi = hi.or(ShortVector.broadcast(HS, (short) (qh >>> 16)).lanewise(VectorOperators.LSHR, shifts).and((short) 1).lanewise(VectorOperators.LSHL, 4));
        }
        int xj = xi + j * HS.length();
        ShortVector p = lo.mul(ShortVector.fromArray(HS, values, xj)).add(hi.mul(ShortVector.fromArray(HS, values, xj + 16)));
        IntVector dots = (IntVector) p.convertShape(VectorOperators.S2I, I, 0);
        if (HS_PARTS == 2) {
          dots = dots.add((IntVector) p.convertShape(VectorOperators.S2I, I, 1));
        }
        acc = ((FloatVector) dots.convert(VectorOperators.I2F, 0)).fma(scale, acc);
      }
    }
    return PanamaQuantLaneSums.sum(acc) + correction;
  }
}
