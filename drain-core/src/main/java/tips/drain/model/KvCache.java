package tips.drain.model;

import tips.drain.DrainException;

/**
 * The keys and values of past positions, per layer, {@code kvDim} floats per position (head {@code h} at
 * {@code h * headDim}). Owned by one session; never shared.
 *
 * <p>Values are stored position by position: row {@code r} is {@code values(layer)[r * kvDim ..+kvDim)}. Keys
 * are stored dimension by dimension: element {@code d} of row {@code r} is
 * {@code keys(layer)[d * keyStride(layer) + r]}, so one dimension of consecutive positions is contiguous and
 * attention scores many positions per vector load (see {@code Kernels.attention}).
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
  private final int maxBatch;

  /** A cache of {@code capacity} positions for every layer (no ring). */
  public KvCache(int layers, int capacity, int kvDim) {
    this(new int[layers], capacity, kvDim, capacity);
  }

  private KvCache(int[] ring, int capacity, int kvDim, int maxBatch) {
    int layers = ring.length;
    long floats = 0;
    for (int r : ring) {
      long rows = r > 0 ? 2L * r : capacity;
      if (rows * kvDim > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("KV cache of " + rows + " positions × " + kvDim + " is too large per layer");
      }
      floats += 2 * rows * kvDim;
    }
    this.keys = new float[layers][];
    this.values = new float[layers][];
    try {
      for (int l = 0; l < layers; l++) {
        int rows = ring[l] > 0 ? 2 * ring[l] : capacity;
        keys[l] = new float[rows * kvDim];
        values[l] = new float[rows * kvDim];
      }
    } catch (OutOfMemoryError e) {
      throw new DrainException("not enough heap for a KV cache of " + capacity + " positions ("
          + (floats * 4 >> 20) + " MiB): use a shorter context or a larger -Xmx");
    }
    this.ring = ring.clone();
    this.capacity = capacity;
    this.kvDim = kvDim;
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
    return new KvCache(ring, capacity, config.kvDim(), batch);
  }

  /** The keys of {@code layer}, dimension by dimension: element {@code d} of row {@code r} at {@code d * keyStride(layer) + r}. */
  public float[] keys(int layer) {
    return keys[layer];
  }

  /** Floats between one dimension of the keys of {@code layer} and the next: its number of rows. */
  public int keyStride(int layer) {
    return rows(layer);
  }

  /** The values of {@code layer}, position by position: row {@code r} at {@code r * kvDim}. */
  public float[] values(int layer) {
    return values[layer];
  }

  private int rows(int layer) {
    int r = ring[layer];
    return r > 0 ? 2 * r : capacity;
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
    int stride = rows(layer);
    for (int d = 0; d < kvDim; d++) {
      layerKeys[d * stride + row] = k[kOff + d];
    }
    System.arraycopy(v, vOff, values[layer], row * kvDim, kvDim);
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
    for (float[] k : keys) {
      n += 2L * k.length * Float.BYTES;
    }
    return n;
  }
}
