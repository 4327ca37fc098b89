package tips.drain.kernel.panama;

import java.lang.foreign.MemorySegment;
import tips.drain.tensor.DType;

/**
 * Matrix × matrix for prefill: {@code out[t*rows + r] = W[r,:] · x[t*cols ..]}. Batches of at least one
 * vector of tokens go to the outer-product kernel of {@link PanamaGemmPanel}; smaller ones use the dot
 * products below. Prefill is bound by
 * arithmetic, so each weight is loaded from memory once per call, not once per token:
 *
 * <ul>
 *   <li>columns are cut into chunks of at most {@link #CHUNK} so that one chunk of every token's
 *       activations stays in L2 while all rows pass over it;
 *   <li>inside a chunk, 4 rows × 4 tokens are computed at once in registers ({@link PanamaGemmTiles});
 *       BF16/F16 rows are widened to floats once per chunk into a small per-thread buffer (in the
 *       deinterleaved order of {@link PanamaHalfFloats}), then reused by every block of 4 tokens;
 *   <li>rows left over (rowTo - rowFrom not a multiple of 4) and tokens left over (batch not a multiple
 *       of 4) go through the matrix-vector dot products; an F16 row chunk holding an infinity or NaN
 *       (found by the widening, or checked once per chunk for the rows left over) through the exact one.
 * </ul>
 */
final class PanamaGemm {
  /** Columns per chunk: 2048 floats × 128 tokens = 1 MiB of activations, half an L2. */
  static final int CHUNK = 2048;
  /**
   * Floats between widened rows, and between deinterleaved tokens beyond their length: one cache line
   * of padding, so that the 8 streams of a tile (4 rows, 4 tokens) do not all fall in the same L1 sets.
   */
  private static final int PAD = 16;
  private static final int WIDENED_STRIDE = CHUNK + PAD;
  private static final ThreadLocal<float[]> WIDENED = ThreadLocal.withInitial(() -> new float[4 * WIDENED_STRIDE]);

  private PanamaGemm() {}

  static void matmul(DType type, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    if (type != DType.F32 && type != DType.BF16 && type != DType.F16) {
      throw new IllegalArgumentException("no matmul kernel for " + type);
    }
    if (PanamaGemmPanel.suits(batch, rowTo - rowFrom)) {
      PanamaGemmPanel.matmul(type, w, rows, cols, x, batch, out, rowFrom, rowTo);
    } else {
      dotTiles(type, w, rows, cols, x, batch, out, rowFrom, rowTo);
    }
  }

  /** The dot-product tiles described above, for small batches and for the rows {@link PanamaGemmPanel} leaves. */
  static void dotTiles(DType type, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    boolean wide = type == DType.F32;
    boolean f16 = type == DType.F16;
    // 16-bit weights: every token's activations deinterleaved once (bound per token) to match the even/odd widening
    int bound = wide ? cols : cols - cols % PanamaHalfFloats.block();
    int xpStride = bound + PAD;
    float[] xp = x;
    if (!wide) {
      xp = PanamaMatVec.scratch(batch * xpStride);
      for (int t = 0; t < batch; t++) {
        PanamaHalfFloats.deinterleave(x, t * cols, bound, xp, t * xpStride);
      }
    }
    float[] wp = WIDENED.get();
    int chunks = Math.max(1, (cols + CHUNK - 1) / CHUNK);
    int chunk = roundUp((cols + chunks - 1) / chunks, PanamaHalfFloats.block());
    for (int k0 = 0; k0 < cols; k0 += chunk) {
      int k1 = Math.min(cols, k0 + chunk);
      int kEnd = Math.max(k0, Math.min(k1, bound)); // the vector part of 16-bit rows
      boolean first = k0 == 0;
      int r = rowFrom;
      for (; r <= rowTo - 4; r += 4) {
        int infOrNaNRows = 0; // bit i: row r + i holds an F16 infinity or NaN in this chunk
        if (!wide) {
          for (int i = 0; i < 4; i++) {
            if (PanamaHalfFloats.widen(f16, w, (long) (r + i) * cols * Short.BYTES, k0, kEnd, wp, i * WIDENED_STRIDE)) {
              infOrNaNRows |= 1 << i;
            }
          }
        }
        int t = 0;
        for (; t <= batch - 4; t += 4) {
          if (wide) {
            PanamaGemmTiles.tile(w, cols, rows, x, r, t, k0, k1, out, first);
          } else {
            PanamaGemmTiles.tile(wp, WIDENED_STRIDE, xp, xpStride, w, type, cols, rows, x, r, t, k0, kEnd, k1, out, first);
          }
        }
        for (; t < batch; t++) {
          for (int rr = r; rr < r + 4; rr++) {
            boolean exact = (infOrNaNRows >> (rr - r) & 1) != 0;
            dot(type, w, rows, cols, xp, xpStride, x, rr, t, k0, k1, out, first, exact);
          }
        }
      }
      for (; r < rowTo; r++) {
        boolean exact = f16 && PanamaHalfFloats.holdsInfOrNaN(w, (long) r * cols * Short.BYTES, k0, kEnd);
        for (int t = 0; t < batch; t++) {
          dot(type, w, rows, cols, xp, xpStride, x, r, t, k0, k1, out, first, exact);
        }
      }
    }
  }

  /**
   * One row × one token over columns {@code [k0, k1)}, added to (or stored in) {@code out}; {@code infOrNaN}: an
   * F16 row chunk that holds an infinity or NaN, which {@link PanamaMatVec#dotF16} would make finite.
   */
  private static void dot(DType type, MemorySegment w, int rows, int cols, float[] xp, int xpStride, float[] x, int r, int t,
      int k0, int k1, float[] out, boolean first, boolean infOrNaN) {
    int n = k1 - k0;
    long base = (long) r * cols + k0;
    float value = switch (type) {
      case F32 -> PanamaMatVec.dotF32(w, base * Float.BYTES, x, t * cols + k0, n);
      case BF16 -> PanamaMatVec.dotBf16(w, base * Short.BYTES, xp, t * xpStride + k0, x, t * cols + k0, n);
      default -> infOrNaN
          ? PanamaMatVec.dotF16Exactly(w, base * Short.BYTES, x, t * cols + k0, n)
          : PanamaMatVec.dotF16(w, base * Short.BYTES, xp, t * xpStride + k0, x, t * cols + k0, n);
    };
    int i = t * rows + r;
    out[i] = first ? value : out[i] + value;
  }

  private static int roundUp(int n, int multiple) {
    return (n + multiple - 1) / multiple * multiple;
  }
}
