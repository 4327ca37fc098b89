package tips.drain.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BPE model of tokenizer.json, as Hugging Face runs it: split a word into characters (or their
 * {@code <0xXX>} byte tokens, or the unknown token), then repeatedly apply the lowest-ranked merge rule,
 * leftmost first, using a priority queue over merge ranks. Results are cached per word.
 */
final class BpeModel extends VocabularyModel {
  private static final int CACHE_CAPACITY = 100_000;
  private static final int MAX_CACHED_WORD = 256;
  private static final char WORD_START = '\u2581';

  private final MergeTable merges;
  private final int unkId;
  private final boolean fuseUnk;
  private final boolean ignoreMerges;
  private final String prefix;
  private final String suffix;
  /** byteIds[b] is the id of token {@code <0xXX>} when byte_fallback is on, else null. */
  private final int[] byteIds;
  /** charIds[c] is the id of the one-character token c (BMP only), or -1; used when prefix and suffix are empty. */
  private final int[] charIds;
  private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();
  /**
   * For SentencePiece-style vocabularies: the word-start mark U+2581 if it is a token, else 0.
   * {@code joinsWordStart[c]} is true if some token contains c followed by the mark. A word may be cut before a
   * mark whose preceding character c is a one-character token with {@code !joinsWordStart[c]}: no merge can
   * ever produce a token across that cut, so the pieces encode exactly as the whole does.
   */
  private final char wordStart;
  private final boolean[] joinsWordStart;

  BpeModel(Map<String, Integer> vocab, MergeTable merges, int unkId, boolean fuseUnk, boolean byteFallback,
      boolean ignoreMerges, String prefix, String suffix) {
    super(vocab);
    this.merges = merges;
    this.unkId = unkId;
    this.fuseUnk = fuseUnk;
    this.ignoreMerges = ignoreMerges;
    this.prefix = prefix == null ? "" : prefix;
    this.suffix = suffix == null ? "" : suffix;
    charIds = new int[0x10000];
    Arrays.fill(charIds, -1);
    vocab.forEach((token, id) -> {
      if (token.length() == 1) {
        charIds[token.charAt(0)] = id;
      }
    });
    boolean marked = this.prefix.isEmpty() && this.suffix.isEmpty() && charIds[WORD_START] >= 0;
    wordStart = marked ? WORD_START : 0;
    joinsWordStart = new boolean[0x10000];
    if (marked) {
      for (String token : vocab.keySet()) {
        for (int i = token.indexOf(WORD_START, 1); i > 0; i = token.indexOf(WORD_START, i + 1)) {
          joinsWordStart[token.charAt(i - 1)] = true;
        }
      }
    }
    if (byteFallback) {
      byteIds = new int[256];
      for (int b = 0; b < 256; b++) {
        Integer id = vocab.get(String.format("<0x%02X>", b));
        byteIds[b] = id == null ? -1 : id;
      }
    } else {
      byteIds = null;
    }
  }

  @Override
  public void tokenize(String word, IntList out) {
    if (word.isEmpty()) {
      return;
    }
    if (ignoreMerges) {
      Integer id = vocab.get(word);
      if (id != null) {
        out.add(id);
        return;
      }
    }
    if (wordStart == 0) {
      tokenizePiece(word, out);
      return;
    }
    int from = 0;
    for (int i = word.indexOf(wordStart, 1); i > 0; i = word.indexOf(wordStart, i + 1)) {
      char before = word.charAt(i - 1);
      if (charIds[before] >= 0 && !joinsWordStart[before]) {
        tokenizePiece(word.substring(from, i), out);
        from = i;
      }
    }
    tokenizePiece(from == 0 ? word : word.substring(from), out);
  }

  /** Merges one piece (a word, or a part of one that merges cannot cross), through the cache. */
  private void tokenizePiece(String piece, IntList out) {
    int[] ids = cache.get(piece);
    if (ids == null) {
      ids = merge(piece);
      if (piece.length() < MAX_CACHED_WORD && cache.size() < CACHE_CAPACITY) {
        cache.put(piece, ids);
      }
    }
    out.addAll(ids);
  }

  /** The ids of {@code word} merged as one piece, without cuts or cache (to test that cuts change nothing). */
  int[] mergeWhole(String word) {
    return merge(word);
  }

  /** Splits {@code word} into its initial symbols and applies the merges. */
  private int[] merge(String word) {
    IntList symbols = new IntList(word.length());
    int pendingUnk = -1;
    int n = word.length();
    for (int i = 0; i < n; ) {
      int cp = word.codePointAt(i);
      int next = i + Character.charCount(cp);
      int id = symbolId(word, i, next);
      if (id >= 0) {
        if (pendingUnk >= 0) {
          symbols.add(pendingUnk);
          pendingUnk = -1;
        }
        symbols.add(id);
      } else if (byteIds != null && addBytes(word.substring(i, next), symbols)) {
        // byte fallback tokens added (a pending unk stays pending, as in Hugging Face)
      } else if (unkId >= 0) {
        if (pendingUnk >= 0 && !fuseUnk) {
          symbols.add(pendingUnk);
        }
        pendingUnk = unkId;
      }
      i = next;
    }
    if (pendingUnk >= 0) {
      symbols.add(pendingUnk);
    }
    return applyMerges(symbols.toArray());
  }

  /** The id of the character word[from, to) (with prefix/suffix when it is not first/last), or -1. */
  private int symbolId(String word, int from, int to) {
    boolean plain = (prefix.isEmpty() || from == 0) && (suffix.isEmpty() || to < word.length());
    if (plain && to - from == 1) {
      return charIds[word.charAt(from)];
    }
    String s = word.substring(from, to);
    if (!prefix.isEmpty() && from > 0) {
      s = prefix + s;
    }
    if (!suffix.isEmpty() && to == word.length()) {
      s = s + suffix;
    }
    Integer id = vocab.get(s);
    return id == null ? -1 : id;
  }

  private boolean addBytes(String character, IntList symbols) {
    byte[] bytes = character.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      if (byteIds[b & 0xFF] < 0) {
        return false;
      }
    }
    for (byte b : bytes) {
      symbols.add(byteIds[b & 0xFF]);
    }
    return true;
  }

  /**
   * Hugging Face's {@code Word::merge_all}: a min-heap of (rank, position) candidates; a popped candidate is
   * applied only if the pair at that position is still the one it was queued for.
   */
  private int[] applyMerges(int[] ids) {
    int n = ids.length;
    if (n < 2) {
      return ids;
    }
    int[] prev = new int[n];
    int[] next = new int[n];
    boolean[] removed = new boolean[n];
    for (int i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    LongMinHeap queue = new LongMinHeap(n);
    for (int i = 0; i + 1 < n; i++) {
      int rank = merges.rank(ids[i], ids[i + 1]);
      if (rank >= 0) {
        queue.push(candidate(rank, i));
      }
    }
    int alive = n;
    while (!queue.isEmpty()) {
      long top = queue.pop();
      int rank = (int) (top >>> 32);
      int pos = (int) top;
      if (removed[pos] || next[pos] < 0) {
        continue;
      }
      int right = next[pos];
      if (merges.rank(ids[pos], ids[right]) != rank) {
        continue; // stale: one side has been merged since
      }
      ids[pos] = merges.mergedId(rank);
      removed[right] = true;
      alive--;
      next[pos] = next[right];
      if (next[pos] >= 0) {
        prev[next[pos]] = pos;
      }
      if (prev[pos] >= 0) {
        int r = merges.rank(ids[prev[pos]], ids[pos]);
        if (r >= 0) {
          queue.push(candidate(r, prev[pos]));
        }
      }
      if (next[pos] >= 0) {
        int r = merges.rank(ids[pos], ids[next[pos]]);
        if (r >= 0) {
          queue.push(candidate(r, pos));
        }
      }
    }
    int[] result = new int[alive];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (!removed[i]) {
        result[k++] = ids[i];
      }
    }
    return result;
  }

  private static long candidate(int rank, int pos) {
    return ((long) rank << 32) | pos;
  }
}
