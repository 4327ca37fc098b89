package tips.drain.quant.panama;

import java.lang.foreign.MemorySegment;
import tips.drain.quant.Q8Activations;
import tips.drain.quant.Q8KActivations;
import tips.drain.quant.QuantFormat;
import tips.drain.quant.QuantKernels;

/**
 * A batch-invariant product of a few tokens made of a format's own decode kernel: the rows go in tiles small
 * enough to stay in L2, and each token runs the decode kernel over the tile. Every token's sums are those of
 * the decode kernel itself (a row's sum does not depend on the range it is computed in), and the weights come
 * from memory once per tile for all tokens; the unpacking is repeated per token. Q4_0 takes this path (its
 * decode kernel, four rows reduced together, {@link PanamaQ4Groups}, has no multi-token form yet), and so do
 * MXFP4 ({@link PanamaMxfp4}), Q4_1, Q5_0, Q5_1 and the K-quants.
 */
final class PanamaRowTiles {
  /** Weight bytes per tile: a quarter of a 1 MiB L2. */
  private static final long TILE_BYTES = 256 * 1024;
  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

  private PanamaRowTiles() {}

  static void matvecs(QuantKernels kernels, QuantFormat format, MemorySegment w, int rows, int cols, Q8Activations[] x,
      float[] out, int rowFrom, int rowTo) {
    tiles(x.length, (t, sums, r0, r1) -> kernels.matvec(format, w, cols, x[t], sums, r0, r1), format.rowBytes(cols), rows, out, rowFrom, rowTo);
  }

  /** The same with K-quant weights and their Q8_K activations. */
  static void matvecs(QuantKernels kernels, QuantFormat format, MemorySegment w, int rows, int cols, Q8KActivations[] x,
      float[] out, int rowFrom, int rowTo) {
    tiles(x.length, (t, sums, r0, r1) -> kernels.matvec(format, w, cols, x[t], sums, r0, r1), format.rowBytes(cols), rows, out, rowFrom, rowTo);
  }

  /** A decode kernel: token {@code t}'s products of rows {@code [from, to)} into {@code out[from .. to)}. */
  private interface Decode {
    void rows(int t, float[] out, int from, int to);
  }

  private static void tiles(int tokens, Decode decode, long rowBytes, int rows, float[] out, int rowFrom, int rowTo) {
    if (tokens == 1) {
      decode.rows(0, out, rowFrom, rowTo);
      return;
    }
    int tile = (int) Math.max(4, TILE_BYTES / rowBytes);
    float[] sums = scratch(rowTo);
    for (int r0 = rowFrom; r0 < rowTo; r0 += tile) {
      int r1 = Math.min(rowTo, r0 + tile);
      for (int t = 0; t < tokens; t++) {
        decode.rows(t, sums, r0, r1);
        System.arraycopy(sums, r0, out, t * rows + r0, r1 - r0);
      }
    }
  }

  private static float[] scratch(int n) {
    float[] buf = SCRATCH.get();
    if (buf.length < n) {
      buf = new float[n];
      SCRATCH.set(buf);
    }
    return buf;
  }
}
