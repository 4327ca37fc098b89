package tips.drain.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.DType;

/**
 * Prefill of a block matrix through core's F32 GEMM: a tile of rows at a time is dequantized into a
 * per-thread buffer ({@code q · d} is exact in float) and multiplied with every token's activations, as
 * they are, by {@link Kernels#matmul}. With many tokens the conversion is paid once per weight for the
 * whole batch, and the GEMM runs on the FMA units at 4×4 register tiles: per core, 54 against 43 GOP/s of
 * the 16-bit integer kernels at 4 tokens, 80-90 against 40 at 128 (Q8_0 and Q4_0 alike; the integer loop
 * is bound by its widening, pairwise adds and per-block conversions, and Java has no int8 dot product
 * instruction). The activations are not quantized on this path, so it is also the more accurate one.
 *
 * <p>{@code -Ddrain.quant.tiledMinBatch=N} moves the switch-over (a large N keeps every product on the
 * integer kernels, as llama.cpp computes them).
 */
final class TiledMatmul {
  /** Tokens from which this path is taken: 4, the measured crossover (2 and 3 are faster in integers). */
  static final int MIN_BATCH = Integer.getInteger("drain.quant.tiledMinBatch", 4);
  /** Rows per tile: a multiple of the GEMM's 4-row register tile (8 to 64 measured the same). */
  static final int TILE_ROWS = 16;
  /**
   * Tokens per GEMM call: a tile's GEMM reads all its tokens' activations, which must stay in L2 from tile to
   * tile (64 tokens of 2048 floats are 512 KiB). Measured on Zen 4, one thread, Q4_0 2048×2048: 93–95 GFLOP/s
   * at 64 tokens, 84–88 for 256 tokens in one call.
   */
  static final int TOKEN_BLOCK = 64;
  /** Per thread: the dequantized tile (native, see {@link QuantKernels#dequantize}) and the tile's output. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private TiledMatmul() {}

  /** {@code out[b * rows + r] = W[r, :] · x[b * cols ..]} for {@code rowFrom <= r < rowTo}, every {@code b < batch}. */
  static void matmul(QuantFormat format, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out,
      int rowFrom, int rowTo, QuantKernels quant, Kernels dense) {
    matmul(format, w, rows, cols, tokenBlocks(x, batch, cols), batch, out, rowFrom, rowTo, quant, dense);
  }

  /** As above, with the activations already cut by {@link #tokenBlocks} (once per product, for every thread). */
  static void matmul(QuantFormat format, MemorySegment w, int rows, int cols, float[][] blocks, int batch, float[] out,
      int rowFrom, int rowTo, QuantKernels quant, Kernels dense) {
    Scratch scratch = SCRATCH.get();
    MemorySegment tileWeights = scratch.tile((long) TILE_ROWS * cols * Float.BYTES);
    float[] tileOut = scratch.out(TILE_ROWS * Math.min(batch, TOKEN_BLOCK));
    for (int r0 = rowFrom; r0 < rowTo; r0 += TILE_ROWS) {
      int n = Math.min(TILE_ROWS, rowTo - r0);
      quant.dequantize(format, w, cols, r0, r0 + n, tileWeights);
      for (int k = 0; k < blocks.length; k++) {
        int b0 = k * TOKEN_BLOCK;
        int tokens = Math.min(TOKEN_BLOCK, batch - b0);
        dense.matmul(DType.F32, tileWeights, n, cols, blocks[k], tokens, tileOut, 0, n);
        for (int b = 0; b < tokens; b++) {
          System.arraycopy(tileOut, b * n, out, (b0 + b) * rows + r0, n);
        }
      }
    }
  }

  /** {@code x} cut into blocks of {@link #TOKEN_BLOCK} tokens (the last may be shorter), one array each. */
  static float[][] tokenBlocks(float[] x, int batch, int cols) {
    if (batch <= TOKEN_BLOCK) {
      return new float[][] {x};
    }
    float[][] blocks = new float[(batch + TOKEN_BLOCK - 1) / TOKEN_BLOCK][];
    for (int k = 0; k < blocks.length; k++) {
      int from = k * TOKEN_BLOCK * cols;
      blocks[k] = Arrays.copyOfRange(x, from, Math.min(batch * cols, from + TOKEN_BLOCK * cols));
    }
    return blocks;
  }

  private static final class Scratch {
    private MemorySegment tile = MemorySegment.NULL;
    private float[] out = new float[0];

    MemorySegment tile(long bytes) {
      if (tile.byteSize() < bytes) {
        tile = Arena.ofAuto().allocate(bytes, 64);
      }
      return tile;
    }

    float[] out(int n) {
      if (out.length < n) {
        out = new float[n];
      }
      return out;
    }
  }
}
