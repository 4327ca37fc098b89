package tips.drain.model;

/**
 * The keys and values of every past position, per layer: {@code keys[layer]} is {@code (capacity, kvDim)}
 * row-major, i.e. position {@code p}, head {@code h} starts at {@code p * kvDim + h * headDim}. Owned by one
 * session; never shared.
 */
public final class KvCache {
  private final float[][] keys;
  private final float[][] values;
  private final int capacity;
  private final int kvDim;

  public KvCache(int layers, int capacity, int kvDim) {
    long floats = 2L * layers * capacity * kvDim;
    if ((long) capacity * kvDim > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("KV cache of " + capacity + " positions × " + kvDim + " is too large per layer");
    }
    try {
      this.keys = new float[layers][capacity * kvDim];
      this.values = new float[layers][capacity * kvDim];
    } catch (OutOfMemoryError e) {
      throw new tips.drain.DrainException("not enough heap for a KV cache of " + capacity + " positions ("
          + (floats * 4 >> 20) + " MiB): use a shorter context or a larger -Xmx");
    }
    this.capacity = capacity;
    this.kvDim = kvDim;
  }

  public float[] keys(int layer) {
    return keys[layer];
  }

  public float[] values(int layer) {
    return values[layer];
  }

  /** Positions this cache can hold. */
  public int capacity() {
    return capacity;
  }

  public int kvDim() {
    return kvDim;
  }

  /** Bytes held. */
  public long byteSize() {
    return 2L * keys.length * capacity * kvDim * Float.BYTES;
  }
}
