package tips.drain.model;

import tips.drain.DrainException;
import tips.drain.kernel.Kernels;

/**
 * The keys and values of past positions, per layer, {@code kvDim} floats per position (head {@code h} at
 * {@code h * headDim}). Owned by one session; never shared.
 *
 * <p>Values are stored per KV head, position by position: the value of KV head {@code h} in row {@code r} is
 * {@code values(layer)[valueOffset(layer, h) + r * headDim ..+headDim)}, so attention reads one contiguous run per
 * head. Keys are stored per KV head in tiles of {@link Kernels#KEY_TILE} rows, dimension by dimension within a tile:
 * element {@code d} of KV head {@code h} in row {@code r} is at
 * {@code keyOffset(layer, h) + (r / KEY_TILE) * headDim * KEY_TILE + d * KEY_TILE + r % KEY_TILE}, so attention
 * scores a tile's positions with one vector load per dimension, reading the keys front to back (see
 * {@link Kernels#attention}).
 *
 * <p>A full-attention layer keeps every position: position {@code p} is row {@code p}. A sliding-window layer
 * whose window is smaller than the context keeps only a ring of {@code window + batch - 1} rows (what one
 * forward call of up to {@code batch} tokens can see), so its cache does not grow with the context. The ring
 * is stored twice in a row ({@code row r} and {@code r + ring} hold the same position), so the positions a
 * query sees are always {@code len} consecutive rows from {@link #row(int, int)}: attention reads one
 * contiguous run either way.
 */
public final class KvCache {
  private final float[][] keys;
  private final float[][] values;
  /** Rows of the ring of each layer, 0 for a linear (full) cache. */
  private final int[] ring;
  private final int capacity;
  private final int kvDim;
  private final int headDim;
  private final int maxBatch;

  private KvCache(int[] ring, int capacity, int kvDim, int headDim, int maxBatch) {
    int layers = ring.length;
    long floats = 0;
    for (int r : ring) {
      int rows = rows(r, capacity);
      long tiledRows = (long) Kernels.keyTiles(rows) * Kernels.KEY_TILE;
      if (tiledRows * kvDim > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("KV cache of " + rows + " positions × " + kvDim + " is too large per layer");
      }
      floats += (tiledRows + rows) * kvDim;
    }
    this.keys = new float[layers][];
    this.values = new float[layers][];
    try {
      for (int l = 0; l < layers; l++) {
        int rows = rows(ring[l], capacity);
        keys[l] = new float[Kernels.keyTiles(rows) * Kernels.KEY_TILE * kvDim];
        values[l] = new float[rows * kvDim];
      }
    } catch (OutOfMemoryError e) {
      throw new DrainException("not enough heap for a KV cache of " + capacity + " positions ("
          + (floats * 4 >> 20) + " MiB): use a shorter context or a larger -Xmx");
    }
    this.ring = ring.clone();
    this.capacity = capacity;
    this.kvDim = kvDim;
    this.headDim = headDim;
    this.maxBatch = maxBatch;
  }

  /**
   * The cache for {@code config}: sliding-window layers keep a ring of {@code window + batch - 1} positions
   * when that is less than half of {@code capacity} (a ring is stored twice), the others all
   * {@code capacity} positions.
   *
   * @param batch the most tokens one forward call will add
   */
  public static KvCache forModel(ModelConfig config, int capacity, int batch) {
    int[] ring = new int[config.numLayers()];
    for (int l = 0; l < ring.length; l++) {
      int window = config.layer(l).slidingWindow();
      if (window > 0 && 2L * (window + batch - 1) < capacity) {
        ring[l] = window + batch - 1;
      }
    }
    return new KvCache(ring, capacity, config.kvDim(), config.headDim(), batch);
  }

  /** Bytes the cache {@link #forModel} makes for these arguments would hold, without making it. */
  public static long byteSize(ModelConfig config, int capacity, int batch) {
    long floats = 0;
    for (int l = 0; l < config.numLayers(); l++) {
      int window = config.layer(l).slidingWindow();
      int ring = window > 0 && 2L * (window + batch - 1) < capacity ? window + batch - 1 : 0;
      int rows = rows(ring, capacity);
      floats += ((long) Kernels.keyTiles(rows) * Kernels.KEY_TILE + rows) * config.kvDim();
    }
    return floats * Float.BYTES;
  }

  /** The keys of {@code layer}, in tiles of rows (see the class comment). */
  public float[] keys(int layer) {
    return keys[layer];
  }

  /** Where the key tiles of KV head {@code kvHead} of {@code layer} start. */
  public int keyOffset(int layer, int kvHead) {
    return kvHead * Kernels.keyTiles(rows(layer)) * headDim * Kernels.KEY_TILE;
  }

  /** The values of {@code layer}, per KV head and position by position (see the class comment). */
  public float[] values(int layer) {
    return values[layer];
  }

  /** Where the values of KV head {@code kvHead} of {@code layer} start: its row {@code r} is {@code headDim} floats at {@code + r * headDim}. */
  public int valueOffset(int layer, int kvHead) {
    return kvHead * rows(layer) * headDim;
  }

  private int rows(int layer) {
    return rows(ring[layer], capacity);
  }

  /** Rows a layer holds: the whole capacity, or twice a ring of {@code ring > 0} rows (under half the capacity). */
  private static int rows(int ring, int capacity) {
    return ring > 0 ? 2 * ring : capacity;
  }

  /**
   * The row holding {@code position} in layer {@code layer}, from which the following positions (up to the
   * newest stored) are consecutive rows.
   */
  public int row(int layer, int position) {
    int r = ring[layer];
    return r == 0 ? position : position % r;
  }

  /** Stores the key and value of {@code position} ({@code kvDim} floats each). */
  public void store(int layer, int position, float[] k, int kOff, float[] v, int vOff) {
    int r = ring[layer];
    int row = r == 0 ? position : position % r;
    storeRow(layer, row, k, kOff, v, vOff);
    if (r > 0) {
      storeRow(layer, row + r, k, kOff, v, vOff);
    }
  }

  private void storeRow(int layer, int row, float[] k, int kOff, float[] v, int vOff) {
    float[] layerKeys = keys[layer];
    for (int h = 0; h < kvDim / headDim; h++) {
      int at = Kernels.keyIndex(keyOffset(layer, h), headDim, row);
      for (int d = 0; d < headDim; d++) {
        layerKeys[at + d * Kernels.KEY_TILE] = k[kOff + h * headDim + d];
      }
      System.arraycopy(v, vOff + h * headDim, values[layer], valueOffset(layer, h) + row * headDim, headDim);
    }
  }

  /** True when {@code layer} keeps a bounded ring rather than every position. */
  public boolean isRing(int layer) {
    return ring[layer] > 0;
  }

  /** Positions this cache can hold. */
  public int capacity() {
    return capacity;
  }

  /** The most tokens one forward call may add (a ring only keeps what such a call can see). */
  public int maxBatch() {
    return maxBatch;
  }

  public int kvDim() {
    return kvDim;
  }

  /** Bytes held. */
  public long byteSize() {
    long n = 0;
    for (int l = 0; l < keys.length; l++) {
      n += ((long) keys[l].length + values[l].length) * Float.BYTES;
    }
    return n;
  }
}
