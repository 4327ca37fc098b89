package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaMatVec.LE;
import static tips.drain.kernel.panama.PanamaSpecies.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.DType;

/**
 * Prefill matrix × matrix as outer products, for batches of at least one vector of tokens. The
 * activations are transposed once per call into a panel (see {@link #panel}; tokens padded with zeros to
 * {@code tp}, a multiple of the vector length), so one vector load holds one column of {@code lanes} tokens. A weight is broadcast to all lanes and multiplied into that vector: the
 * accumulators hold (row, tokens) results lane by lane, and need no horizontal reduction at the end
 * (the cost of the dot-product tiles of {@link PanamaGemmTiles}). The register tiles are in
 * {@link PanamaGemmOuterTiles}.
 *
 * <p>Columns are cut into chunks so that the panel's chunk stays in L2 while every row passes over it.
 * For each group of {@link PanamaGemmOuterTiles#ROWS} rows, the chunk of each row is widened to floats
 * once into a per-thread buffer (16-bit weights in the deinterleaved order of {@link PanamaHalfFloats},
 * which the panel's columns follow too; the group's rows together, see {@link PanamaHalfFloats#widenRows}),
 * then reused by every block of tokens. Rows left over go through {@link PanamaGemm}'s dot-product tiles.
 * The transposes in and out (activations to the panel, sums to out) go by vector blocks, see
 * {@link PanamaTransposes}.
 *
 * <p>Tried and measured slower or no better (single thread, BF16 weights cycling through 1.5 GB, so from
 * DRAM): widening the next group's rows between the current group's tiles (whole rows after each tile, or
 * one vector every few columns inside the tile loop: 3-8 % slower, the loads from DRAM then stall the FMAs
 * without the overlap of a burst); 16 or 4 rows widened together instead of 8; gathers for the sums
 * transpose; the sums moved to out group by group right after the last chunk's tiles; chunks of up to
 * 4096 columns for 64 tokens.
 */
final class PanamaGemmPanel {
  /** Floats of the panel one chunk may span: 256 Ki floats, 1 MiB, one L2 (smaller chunks measured slower). */
  private static final int PANEL_CHUNK_FLOATS = 256 * 1024;
  /** Most columns per chunk (bounds the widened-row buffer). */
  private static final int MAX_CHUNK = 2048;
  /** One cache line between widened rows, so the rows of a group do not share L1 sets. */
  private static final int PAD = 16;
  private static final int WIDENED_STRIDE = MAX_CHUNK + PAD;
  private static final ThreadLocal<float[]> WIDENED =
      ThreadLocal.withInitial(() -> new float[PanamaGemmOuterTiles.ROWS * WIDENED_STRIDE]);
  private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[0]);

  private PanamaGemmPanel() {}

  /** Whether this path serves a call: at least one full vector of tokens (little padding wasted) and enough rows. */
  static boolean suits(int batch, int rowsInRange) {
    return batch >= F.length() && rowsInRange >= MIN_ROWS;
  }

  /**
   * Fewest rows per call worth the panel: the activations are transposed once per call, which a few rows
   * cannot pay back (callers that tile rows themselves, such as drain-quant's dequantizing prefill, pass 16).
   */
  static final int MIN_ROWS = 128;

  static void matmul(DType type, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    int lanes = F.length();
    int group = PanamaGemmOuterTiles.ROWS;
    int tileTokens = PanamaGemmOuterTiles.VECTORS * lanes; // tokens per wide tile
    int rowEnd = rowFrom + (rowTo - rowFrom) / group * group;
    if (rowEnd > rowFrom) {
      boolean wide = type == DType.F32;
      // 16-bit rows widen in deinterleaved order up to `bound`; the columns after it stay in place
      int block = PanamaHalfFloats.block();
      int bound = wide ? 0 : cols - cols % block;
      int tp = (batch + lanes - 1) / lanes * lanes;
      float[] panel = panel(x, batch, cols, bound, tp);
      float[] wb = WIDENED.get();
      float[] sums = sums((rowEnd - rowFrom) * tp);
      int chunks = Math.max(1, (cols + maxChunk(tp, block) - 1) / maxChunk(tp, block));
      int chunk = roundUp((cols + chunks - 1) / chunks, block);
      for (int k0 = 0; k0 < cols; k0 += chunk) {
        int k1 = Math.min(cols, k0 + chunk);
        int kEnd = Math.max(k0, Math.min(k1, bound));
        boolean first = k0 == 0;
        for (int r = rowFrom; r < rowEnd; r += group) {
          widenGroup(type, w, cols, r, k0, kEnd, k1, wb);
          int t = 0;
          for (; t + tileTokens <= tp; t += tileTokens) {
            PanamaGemmOuterTiles.tileWide(wb, WIDENED_STRIDE, panel, t * cols, k0, k1, sums, (r - rowFrom) * tp + t, tp, first);
          }
          for (; t < tp; t += lanes) {
            PanamaGemmOuterTiles.tileNarrow(wb, WIDENED_STRIDE, panel, t * cols, k0, k1, sums, (r - rowFrom) * tp + t, tp, first);
          }
        }
      }
      unpanelSums(sums, tp, batch, out, rows, rowFrom, rowEnd);
    }
    if (rowEnd < rowTo) {
      PanamaGemm.dotTiles(type, w, rows, cols, x, batch, out, rowEnd, rowTo);
    }
  }

  /** Columns per chunk for a panel of {@code tp} tokens: a multiple of {@code block}, at most {@link #MAX_CHUNK}. */
  private static int maxChunk(int tp, int block) {
    int n = PANEL_CHUNK_FLOATS / tp / block * block;
    return Math.max(block, Math.min(MAX_CHUNK, n));
  }

  /**
   * The transposed activations, in blocks of tokens: tokens {@code [t, t+width)} (width {@link PanamaGemmOuterTiles#VECTORS}
   * vectors, or one for the last, partial tokens) start at {@code panel[t*cols]}, column {@code k} of token {@code t+j} at
   * {@code panel[t*cols + k*width + j]}, so a tile reads its block front to back. Column {@code k} is the
   * widened order's column (deinterleaved below {@code bound}); tokens from {@code batch} on are zero.
   */
  private static float[] panel(float[] x, int batch, int cols, int bound, int tp) {
    float[] panel = PANEL.get();
    if (panel.length < cols * tp) {
      panel = new float[cols * tp];
      PANEL.set(panel);
    }
    int half = F.length();
    float[] rowBlock = new float[2 * half * half];
    float[] scratch = PanamaTransposes.scratch();
    int t0 = 0;
    while (t0 < tp) {
      int width = t0 + PanamaGemmOuterTiles.VECTORS * half <= tp ? PanamaGemmOuterTiles.VECTORS * half : half;
      int tokens = Math.max(0, Math.min(width, batch - t0));
      int base = t0 * cols;
      // whole vectors of tokens, columns below bound: 2·half columns of each token deinterleaved into rowBlock,
      // then two block transposes (single thread, 64 tokens, 2048×2048 BF16: +1-2 % over the scalar loop below)
      int whole = tokens / half * half;
      for (int j0 = 0; j0 < whole; j0 += half) {
        for (int k = 0; k < bound; k += 2 * half) {
          for (int j = 0; j < half; j++) {
            PanamaTransposes.deinterleave(x, (t0 + j0 + j) * cols + k, rowBlock, j * 2 * half);
          }
          PanamaTransposes.block(rowBlock, 0, 2 * half, panel, base + k * width + j0, width, scratch);
          PanamaTransposes.block(rowBlock, half, 2 * half, panel, base + (k + half) * width + j0, width, scratch);
        }
      }
      // the rest token by token, so that x is read along its rows; the block's writes (width floats apart) stay in L2
      for (int j = 0; j < tokens; j++) {
        int row = (t0 + j) * cols;
        int k = j < whole ? bound : 0;
        // below bound, position i of each block of 2·half holds element 2i (i < half) or 2(i - half) + 1
        for (; k < bound; k += 2 * half) {
          for (int i = 0; i < half; i++) {
            panel[base + (k + i) * width + j] = x[row + k + 2 * i];
            panel[base + (k + half + i) * width + j] = x[row + k + 2 * i + 1];
          }
        }
        for (; k < cols; k++) {
          panel[base + k * width + j] = x[row + k];
        }
      }
      for (int j = tokens; j < width; j++) {
        for (int k = 0; k < cols; k++) {
          panel[base + k * width + j] = 0f;
        }
      }
      t0 += width;
    }
    return panel;
  }

  /**
   * A per-thread buffer of at least {@code n} floats for the sums, transposed: row {@code r}'s tokens are
   * contiguous, so the tiles add whole accumulators over the chunks instead of scattering lanes into
   * {@code out} (one cache line per token, {@code rows} floats apart).
   */
  private static float[] sums(int n) {
    float[] sums = SUMS.get();
    if (sums.length < n) {
      sums = new float[n];
      SUMS.set(sums);
    }
    return sums;
  }

  /**
   * Rows {@code [r, r + ROWS)}'s columns {@code [k0, k1)} as floats, row {@code i} in {@code wb[i*WIDENED_STRIDE ..]}:
   * vector-widened up to {@code kEnd} (16-bit rows all together, see {@link PanamaHalfFloats#widenRows}), then one by one.
   */
  private static void widenGroup(DType type, MemorySegment w, int cols, int r, int k0, int kEnd, int k1, float[] wb) {
    int group = PanamaGemmOuterTiles.ROWS;
    int k = k0;
    if (type == DType.F32) {
      for (int i = 0; i < group; i++) {
        long row = (long) (r + i) * cols;
        for (k = k0; k <= k1 - F.length(); k += F.length()) {
          FloatVector.fromMemorySegment(F, w, (row + k) * Float.BYTES, LE).intoArray(wb, i * WIDENED_STRIDE + k - k0);
        }
      }
    } else {
      PanamaHalfFloats.widenRows(type == DType.F16, w, (long) r * cols * Short.BYTES, (long) cols * Short.BYTES, group,
          k0, kEnd, wb, 0, WIDENED_STRIDE);
      k = kEnd;
    }
    for (int i = 0; i < group; i++) {
      long row = (long) (r + i) * cols;
      for (int j = k; j < k1; j++) {
        wb[i * WIDENED_STRIDE + j - k0] = ScalarKernels.weight(type, w, row + j);
      }
    }
  }

  /**
   * The transposed sums ({@code sums[(r - rowFrom)*tp + t]}) to their place in out ({@code out[t*rows + r]}) in
   * blocks of a vector of tokens × a vector of rows: for each block of tokens the rows go in order, so that out
   * is written along its rows, a vector at a time (measured on Zen 4, single thread, 2048×2048 BF16 from DRAM,
   * 128 tokens: 96 -> 100 GFLOP/s with the row widening above; 16-row blocks token by token in scalar code
   * had cost 4-5 %).
   */
  private static void unpanelSums(float[] sums, int tp, int batch, float[] out, int rows, int rowFrom, int rowEnd) {
    int lanes = F.length();
    int tEnd = batch / lanes * lanes;
    int rEnd = rowFrom + (rowEnd - rowFrom) / lanes * lanes;
    float[] scratch = PanamaTransposes.scratch();
    for (int t0 = 0; t0 < tEnd; t0 += lanes) {
      for (int r0 = rowFrom; r0 < rEnd; r0 += lanes) {
        PanamaTransposes.block(sums, (r0 - rowFrom) * tp + t0, tp, out, t0 * rows + r0, rows, scratch);
      }
    }
    // the edges: rows of a partial vector, tokens of a partial vector
    for (int t = 0; t < batch; t++) {
      for (int r = t < tEnd ? rEnd : rowFrom; r < rowEnd; r++) {
        out[t * rows + r] = sums[(r - rowFrom) * tp + t];
      }
    }
  }

  private static int roundUp(int n, int multiple) {
    return (n + multiple - 1) / multiple * multiple;
  }
}
