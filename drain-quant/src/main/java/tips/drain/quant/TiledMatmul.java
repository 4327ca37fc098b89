package tips.drain.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
  /** Per thread: the dequantized tile (native, see {@link QuantKernels#dequantize}) and the tile's output. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private TiledMatmul() {}

  /** {@code out[b * rows + r] = W[r, :] · x[b * cols ..]} for {@code rowFrom <= r < rowTo}, every {@code b < batch}. */
  static void matmul(QuantFormat format, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out,
      int rowFrom, int rowTo, QuantKernels quant, Kernels dense) {
    Scratch scratch = SCRATCH.get();
    MemorySegment tileWeights = scratch.tile((long) TILE_ROWS * cols * Float.BYTES);
    float[] tileOut = scratch.out(TILE_ROWS * batch);
    for (int r0 = rowFrom; r0 < rowTo; r0 += TILE_ROWS) {
      int n = Math.min(TILE_ROWS, rowTo - r0);
      quant.dequantize(format, w, cols, r0, r0 + n, tileWeights);
      dense.matmul(DType.F32, tileWeights, n, cols, x, batch, tileOut, 0, n);
      for (int b = 0; b < batch; b++) {
        System.arraycopy(tileOut, b * n, out, b * rows + r0, n);
      }
    }
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
