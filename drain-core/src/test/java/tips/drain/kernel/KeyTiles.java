package tips.drain.kernel;

/** Keys laid out as {@link Kernels#attention} takes them, from rows of {@code kvHeads * headDim} floats per position. */
public final class KeyTiles {
  private KeyTiles() {}

  /** Tiles of {@link Kernels#KEY_TILE} positions per KV head, as many as {@code positions} needs. */
  public static float[] tile(float[] keys, int positions, int kvHeads, int headDim) {
    int tile = Kernels.KEY_TILE;
    int tiles = (positions + tile - 1) / tile;
    float[] out = new float[kvHeads * tiles * headDim * tile];
    for (int p = 0; p < positions; p++) {
      for (int h = 0; h < kvHeads; h++) {
        for (int d = 0; d < headDim; d++) {
          out[offset(positions, h, headDim) + p / tile * headDim * tile + d * tile + p % tile] = keys[(p * kvHeads + h) * headDim + d];
        }
      }
    }
    return out;
  }

  /** Where KV head {@code kvHead}'s tiles start in {@link #tile}'s array. */
  public static int offset(int positions, int kvHead, int headDim) {
    int tile = Kernels.KEY_TILE;
    return kvHead * ((positions + tile - 1) / tile) * headDim * tile;
  }
}
