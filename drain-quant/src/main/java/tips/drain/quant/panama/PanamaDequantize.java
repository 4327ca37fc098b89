package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;
import static tips.drain.quant.panama.PanamaQuantSpecies.I;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 and Q4_0 rows to floats, {@code q · d} exactly as the format table's {@code dequantizeBlock}
 * (an int8 or a nibble times an F16 scale is exact in float): 16 stored bytes at a time, widened in
 * {@code 16 / F.length()} parts.
 */
final class PanamaDequantize {
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  private static final int PARTS = 16 / F.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private PanamaDequantize() {}

  static void q8(MemorySegment w, int cols, int rowFrom, int rowTo, MemorySegment dst) {
    int blocks = cols / 32;
    long rowBytes = (long) blocks * PanamaQ8.BLOCK_BYTES;
    for (int r = rowFrom; r < rowTo; r++) {
      long to = (long) (r - rowFrom) * cols * Float.BYTES;
      for (int k = 0; k < blocks; k++) {
        long o = r * rowBytes + (long) k * PanamaQ8.BLOCK_BYTES;
        FloatVector d = FloatVector.broadcast(F, PanamaQ8.f16(w, o));
        ByteVector lo = ByteVector.fromMemorySegment(B16, w, o + 2, LE);
        ByteVector hi = ByteVector.fromMemorySegment(B16, w, o + 18, LE);
        for (int p = 0; p < PARTS; p++) {
          ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(d).intoMemorySegment(dst, to + 4L * (32 * k + p * F.length()), LE);
          ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(d).intoMemorySegment(dst, to + 4L * (32 * k + 16 + p * F.length()), LE);
        }
      }
    }
  }

  static void q4(MemorySegment w, int cols, int rowFrom, int rowTo, MemorySegment dst) {
    int blocks = cols / 32;
    long rowBytes = (long) blocks * PanamaQ4.BLOCK_BYTES;
    for (int r = rowFrom; r < rowTo; r++) {
      long to = (long) (r - rowFrom) * cols * Float.BYTES;
      for (int k = 0; k < blocks; k++) {
        long o = r * rowBytes + (long) k * PanamaQ4.BLOCK_BYTES;
        FloatVector d = FloatVector.broadcast(F, PanamaQ8.f16(w, o));
        ByteVector bytes = ByteVector.fromMemorySegment(B16, w, o + 2, LE);
        for (int p = 0; p < PARTS; p++) {
          IntVector b = (IntVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
          IntVector lo = b.and(0x0F).sub(8);
          IntVector hi = b.lanewise(VectorOperators.LSHR, 4).sub(8);
          ((FloatVector) lo.convert(VectorOperators.I2F, 0)).mul(d).intoMemorySegment(dst, to + 4L * (32 * k + p * F.length()), LE);
          ((FloatVector) hi.convert(VectorOperators.I2F, 0)).mul(d).intoMemorySegment(dst, to + 4L * (32 * k + 16 + p * F.length()), LE);
        }
      }
    }
  }
}
