package tips.drain.tokenizer;

import java.util.Arrays;

/**
 * The BPE merge rules: (left id, right id) → rank and merged id, in an open-addressing hash table over
 * primitive longs (half a million merges take a few MB instead of a boxed map's hundreds).
 */
final class MergeTable {
  private static final long EMPTY = -1L;

  private final long[] keys;
  private final int[] ranks;
  private final int mask;
  private int[] mergedIds = new int[16];
  private int size;

  MergeTable(int expected) {
    int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
    keys = new long[capacity];
    ranks = new int[capacity];
    Arrays.fill(keys, EMPTY);
    mask = capacity - 1;
  }

  /** Adds the rule of rank {@code rank}; a pair seen before takes the new rank, as in Hugging Face. */
  void put(int left, int right, int rank, int merged) {
    long key = key(left, right);
    int slot = slot(key);
    while (keys[slot] != EMPTY && keys[slot] != key) {
      slot = (slot + 1) & mask;
    }
    if (keys[slot] == EMPTY) {
      size++;
      if (size * 4L > keys.length * 3L) {
        throw new IllegalStateException("merge table over capacity");
      }
    }
    keys[slot] = key;
    ranks[slot] = rank;
    if (rank >= mergedIds.length) {
      mergedIds = Arrays.copyOf(mergedIds, Math.max(rank + 1, mergedIds.length * 2));
    }
    mergedIds[rank] = merged;
  }

  /** The rank of merging {@code left} with {@code right}, or -1 if there is no such rule. */
  int rank(int left, int right) {
    long key = key(left, right);
    int slot = slot(key);
    long k;
    while ((k = keys[slot]) != EMPTY) {
      if (k == key) {
        return ranks[slot];
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /** The id of the token the rule of rank {@code rank} produces. */
  int mergedId(int rank) {
    return mergedIds[rank];
  }

  int size() {
    return size;
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29)) & mask;
  }
}
