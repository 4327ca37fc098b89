package tips.drain.kernel;

/** Keys laid out as {@link Kernels#attention} takes them, from rows of {@code kvHeads * headDim} floats per position. */
public final class KeyTiles {
  private KeyTiles() {}

  /** Tiles of {@link Kernels#KEY_TILE} positions per KV head, as many as {@code positions} needs. */
  public static float[] tile(float[] keys, int positions, int kvHeads, int headDim) {
    float[] out = new float[kvHeads * Kernels.keyTiles(positions) * headDim * Kernels.KEY_TILE];
    for (int p = 0; p < positions; p++) {
      for (int h = 0; h < kvHeads; h++) {
        for (int d = 0; d < headDim; d++) {
          out[Kernels.keyIndex(offset(positions, h, headDim), headDim, p) + d * Kernels.KEY_TILE] = keys[(p * kvHeads + h) * headDim + d];
        }
      }
    }
    return out;
  }

  /** Where KV head {@code kvHead}'s tiles start in {@link #tile}'s array. */
  public static int offset(int positions, int kvHead, int headDim) {
    return kvHead * Kernels.keyTiles(positions) * headDim * Kernels.KEY_TILE;
  }
}
