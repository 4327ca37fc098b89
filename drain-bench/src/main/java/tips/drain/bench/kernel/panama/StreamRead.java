package tips.drain.bench.kernel.panama;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The streaming-read baseline: a plain vectorized F32 sum, the cheapest loop that reads every byte.
 * Its GB/s is the bandwidth a matrix × vector product can at best reach on this machine.
 */
public final class StreamRead {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private StreamRead() {}

  /** Sum of the floats in bytes {@code [from, to)} of {@code s}; {@code to - from} a multiple of 4 vectors. */
  public static float sum(MemorySegment s, long from, long to) {
    long step = F.vectorByteSize();
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    for (long o = from; o < to; o += 4 * step) {
      a0 = a0.add(FloatVector.fromMemorySegment(F, s, o, ByteOrder.LITTLE_ENDIAN));
      a1 = a1.add(FloatVector.fromMemorySegment(F, s, o + step, ByteOrder.LITTLE_ENDIAN));
      a2 = a2.add(FloatVector.fromMemorySegment(F, s, o + 2 * step, ByteOrder.LITTLE_ENDIAN));
      a3 = a3.add(FloatVector.fromMemorySegment(F, s, o + 3 * step, ByteOrder.LITTLE_ENDIAN));
    }
    return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
  }

  /** Bytes per unrolled step: chunk boundaries must be multiples of this. */
  public static long granule() {
    return 4L * F.vectorByteSize();
  }
}
