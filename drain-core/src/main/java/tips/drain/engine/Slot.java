package tips.drain.engine;

import java.util.Arrays;
import tips.drain.model.KvCache;

/**
 * One sequence's place in the engine: a KV cache and the ids it holds, position by position. Held by one lease at
 * a time; between leases it keeps its ids, so a later request that starts with them reuses them.
 */
final class Slot {
  final int index;
  KvCache cache;
  /** The ids in {@link #cache}, {@code [0, length)}. */
  int[] ids = new int[256];
  int length;
  /** The forward pass that computed the cache (the model's, or an adapter's): ids only match under the same one. */
  Object computedBy;
  /** Who held it last (a session), preferred when it asks again; and when, for least-recently-used eviction. */
  Object lastOwner;
  long lastUsed;
  boolean leased;

  Slot(int index) {
    this.index = index;
  }

  int capacity() {
    return cache == null ? 0 : cache.capacity();
  }

  long bytes() {
    return cache == null ? 0 : cache.byteSize();
  }

  /** How many leading ids of {@code wanted[0, n)} this slot holds, computed by {@code by}. */
  int commonPrefix(Object by, int[] wanted, int n) {
    if (by != computedBy) {
      return 0;
    }
    int max = Math.min(length, n);
    int i = 0;
    while (i < max && ids[i] == wanted[i]) {
      i++;
    }
    return i;
  }

  void append(int id) {
    if (length == ids.length) {
      ids = Arrays.copyOf(ids, 2 * length);
    }
    ids[length++] = id;
  }

  void drop() {
    cache = null;
    length = 0;
    lastOwner = null;
    computedBy = null;
  }
}
