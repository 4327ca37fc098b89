package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;
import static tips.drain.quant.panama.PanamaQuantSpecies.S;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import tips.drain.quant.Q8Activations;

/**
 * Q8_0 weights × a few tokens (a batched decode step), each token's sum made exactly as {@link PanamaQ8#matvec}
 * makes it alone: blocks alternate between two accumulators (an odd last block goes to the first), which are
 * added and summed in {@link PanamaQuantLaneSums}' order. A row meets four tokens at a time, so each block is
 * loaded and widened once per four tokens and the row is read from memory once for all of them.
 */
final class PanamaQ8Tokens {
  private PanamaQ8Tokens() {}

  static void matvecs(MemorySegment w, int rows, int cols, Q8Activations[] x, float[] out, int rowFrom, int rowTo) {
    if (x.length == 1) {
      PanamaQ8.matvec(w, cols, x[0], out, rowFrom, rowTo);
      return;
    }
    int blocks = cols / 32;
    long rowBytes = (long) blocks * PanamaQ8.BLOCK_BYTES;
    // tokens in blocks of 32 whose activations stay in the caches while every row passes over them
    for (int t0 = 0; t0 < x.length; t0 += 32) {
      int t1 = Math.min(x.length, t0 + 32);
      for (int r = rowFrom; r < rowTo; r++) {
        int t = t0;
        for (; t + 4 <= t1; t += 4) {
          tokens4(w, r * rowBytes, blocks, x[t], x[t + 1], x[t + 2], x[t + 3], out, t * rows + r, rows);
        }
        for (; t < t1; t++) {
          out[t * rows + r] = token(w, r * rowBytes, blocks, x[t]);
        }
      }
    }
  }

  /** The row at byte {@code row} times four tokens; results to {@code out[at + j * stride]}. */
  private static void tokens4(MemorySegment w, long row, int blocks, Q8Activations x0, Q8Activations x1, Q8Activations x2,
      Q8Activations x3, float[] out, int at, int stride) {
    short[] v0 = x0.values();
    short[] v1 = x1.values();
    short[] v2 = x2.values();
    short[] v3 = x3.values();
    float[] s0 = x0.scales();
    float[] s1 = x1.scales();
    float[] s2 = x2.scales();
    float[] s3 = x3.scales();
    // even[j] / odd[j]: token j's accumulators of the even and odd blocks, as PanamaQ8.dot2 keeps them
    FloatVector even0 = FloatVector.zero(F);
    FloatVector even1 = even0;
    FloatVector even2 = even0;
    FloatVector even3 = even0;
    FloatVector odd0 = even0;
    FloatVector odd1 = even0;
    FloatVector odd2 = even0;
    FloatVector odd3 = even0;
    // blocks in pairs, the first of a pair to the even accumulators, the second to the odd ones
    for (int k = 0; k < blocks; k++) {
      long o = row + (long) k * PanamaQ8.BLOCK_BYTES;
      float d = PanamaQ8.f16(w, o);
      FloatVector d0 = FloatVector.broadcast(F, d * s0[k]);
      FloatVector d1 = FloatVector.broadcast(F, d * s1[k]);
      FloatVector d2 = FloatVector.broadcast(F, d * s2[k]);
      FloatVector d3 = FloatVector.broadcast(F, d * s3[k]);
      for (int j = 0; j < PanamaQ8.STEPS; j++) {
        ShortVector q = PanamaQ8.weights(w, o + 2 + (long) j * S.length());
        int xi = 32 * k + j * S.length();
        even0 = PanamaQ8.multiplyAdd(q, ShortVector.fromArray(S, v0, xi), d0, even0);
        even1 = PanamaQ8.multiplyAdd(q, ShortVector.fromArray(S, v1, xi), d1, even1);
        even2 = PanamaQ8.multiplyAdd(q, ShortVector.fromArray(S, v2, xi), d2, even2);
        even3 = PanamaQ8.multiplyAdd(q, ShortVector.fromArray(S, v3, xi), d3, even3);
      }
      if (++k == blocks) {
        break;
      }
      o += PanamaQ8.BLOCK_BYTES;
      d = PanamaQ8.f16(w, o);
      d0 = FloatVector.broadcast(F, d * s0[k]);
      d1 = FloatVector.broadcast(F, d * s1[k]);
      d2 = FloatVector.broadcast(F, d * s2[k]);
      d3 = FloatVector.broadcast(F, d * s3[k]);
      for (int j = 0; j < PanamaQ8.STEPS; j++) {
        ShortVector q = PanamaQ8.weights(w, o + 2 + (long) j * S.length());
        int xi = 32 * k + j * S.length();
        odd0 = PanamaQ8.multiplyAdd(q, ShortVector.fromArray(S, v0, xi), d0, odd0);
        odd1 = PanamaQ8.multiplyAdd(q, ShortVector.fromArray(S, v1, xi), d1, odd1);
        odd2 = PanamaQ8.multiplyAdd(q, ShortVector.fromArray(S, v2, xi), d2, odd2);
        odd3 = PanamaQ8.multiplyAdd(q, ShortVector.fromArray(S, v3, xi), d3, odd3);
      }
    }
    out[at] = PanamaQuantLaneSums.sum(even0.add(odd0));
    out[at + stride] = PanamaQuantLaneSums.sum(even1.add(odd1));
    out[at + 2 * stride] = PanamaQuantLaneSums.sum(even2.add(odd2));
    out[at + 3 * stride] = PanamaQuantLaneSums.sum(even3.add(odd3));
  }

  /** The row at byte {@code row} times one token. */
  private static float token(MemorySegment w, long row, int blocks, Q8Activations x) {
    short[] values = x.values();
    float[] scales = x.scales();
    FloatVector even = FloatVector.zero(F);
    FloatVector odd = even;
    for (int k = 0; k < blocks; k++) {
      long o = row + (long) k * PanamaQ8.BLOCK_BYTES;
      FloatVector d = FloatVector.broadcast(F, PanamaQ8.f16(w, o) * scales[k]);
      FloatVector a = (k & 1) != 0 ? odd : even;
      for (int j = 0; j < PanamaQ8.STEPS; j++) {
        a = PanamaQ8.multiplyAdd(PanamaQ8.weights(w, o + 2 + (long) j * S.length()),
            ShortVector.fromArray(S, values, 32 * k + j * S.length()), d, a);
      }
      if ((k & 1) != 0) {
        odd = a;
      } else {
        even = a;
      }
    }
    return PanamaQuantLaneSums.sum(even.add(odd));
  }
}
