package tips.drain.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The added tokens and how they cut the input, as in Hugging Face's {@code AddedVocabulary}: tokens with
 * {@code normalized: false} are found in the raw text first; the text between them is normalized, and then
 * tokens with {@code normalized: true} (their content normalized the same way) are found in it. Matching is
 * leftmost-longest, like the Aho-Corasick automaton HF builds.
 */
final class AddedVocabulary {

  /** A piece of the input: either text still to encode, or an added token already recognised. */
  record Segment(String text, int tokenId, boolean atStart) {
    boolean isToken() {
      return tokenId >= 0;
    }
  }

  private final Map<Integer, AddedToken> byId = new HashMap<>();
  private final Map<String, AddedToken> byContent = new HashMap<>();
  private final Trie raw = new Trie();
  private final Trie normalizedTrie = new Trie();

  AddedVocabulary(List<AddedToken> tokens, Normalizer normalizer) {
    for (AddedToken t : tokens) {
      byId.put(t.id(), t);
      byContent.put(t.content(), t);
      if (t.content().isEmpty()) {
        continue;
      }
      if (t.normalized()) {
        String key = normalizer == null ? t.content() : normalizer.normalize(t.content());
        if (!key.isEmpty()) {
          normalizedTrie.add(key, t);
        }
      } else {
        raw.add(t.content(), t);
      }
    }
  }

  AddedToken byId(int id) {
    return byId.get(id);
  }

  AddedToken byContent(String content) {
    return byContent.get(content);
  }

  Iterable<AddedToken> tokens() {
    return byId.values();
  }

  /**
   * Cuts {@code text} at the added tokens and normalizes the text between them; the result has no empty
   * text segment.
   */
  List<Segment> extractAndNormalize(String text, Normalizer normalizer) {
    List<Segment> out = new ArrayList<>();
    for (Segment s : split(text, 0, raw)) {
      if (s.isToken()) {
        out.add(s);
        continue;
      }
      String normalized = normalizer == null ? s.text() : normalizer.normalize(s.text());
      for (Segment t : split(normalized, s.atStart() ? 0 : 1, normalizedTrie)) {
        if (t.isToken() || !t.text().isEmpty()) {
          out.add(new Segment(t.text(), t.tokenId(), s.atStart() && t.atStart()));
        }
      }
    }
    return out;
  }

  /** HF's {@code find_matches}: single_word, lstrip and rstrip applied to leftmost-longest matches. */
  private List<Segment> split(String text, int base, Trie trie) {
    List<Segment> out = new ArrayList<>();
    if (trie.isEmpty() || text.isEmpty()) {
      if (!text.isEmpty()) {
        out.add(new Segment(text, -1, base == 0));
      }
      return out;
    }
    int consumed = 0;
    int searchFrom = 0;
    while (searchFrom < text.length()) {
      int start = -1;
      AddedToken token = null;
      int end = -1;
      for (int i = searchFrom; i < text.length(); i++) {
        long m = trie.longestAt(text, i);
        if (m >= 0) {
          start = i;
          end = (int) (m >>> 32);
          token = trie.token((int) m);
          break;
        }
      }
      if (token == null) {
        break;
      }
      searchFrom = end;
      if (token.singleWord()) {
        boolean spaceBefore = start == 0 || !isWordChar(text.codePointBefore(start));
        boolean spaceAfter = end == text.length() || !isWordChar(text.codePointAt(end));
        if (!spaceBefore || !spaceAfter) {
          continue;
        }
      }
      if (token.lstrip()) {
        int s = start;
        while (s > 0 && Normalizers.isRustWhitespace(text.codePointBefore(s))) {
          s -= Character.charCount(text.codePointBefore(s));
        }
        start = Math.max(s, consumed);
      }
      if (token.rstrip()) {
        while (end < text.length() && Normalizers.isRustWhitespace(text.codePointAt(end))) {
          end += Character.charCount(text.codePointAt(end));
        }
        searchFrom = end;
      }
      if (consumed < start) {
        out.add(new Segment(text.substring(consumed, start), -1, base + consumed == 0));
      }
      out.add(new Segment(text.substring(start, end), token.id(), base + start == 0));
      consumed = end;
    }
    if (consumed < text.length()) {
      out.add(new Segment(text.substring(consumed), -1, base + consumed == 0));
    }
    return out;
  }

  private static boolean isWordChar(int cp) {
    return Character.isLetterOrDigit(cp) || PreTokenizers.isNumeric(cp) || cp == '_';
  }

  /** A character trie over token contents, answering "longest token starting here". */
  private static final class Trie {
    private final Node root = new Node();
    private final List<AddedToken> tokens = new ArrayList<>();
    /** Quick filter: can a token start with this char? */
    private final boolean[] first = new boolean[0x10000];

    private static final class Node {
      Map<Character, Node> children;
      int token = -1;
    }

    void add(String content, AddedToken token) {
      first[content.charAt(0)] = true;
      Node node = root;
      for (int i = 0; i < content.length(); i++) {
        if (node.children == null) {
          node.children = new HashMap<>();
        }
        node = node.children.computeIfAbsent(content.charAt(i), c -> new Node());
      }
      if (node.token < 0) {
        node.token = tokens.size();
        tokens.add(token);
      } else {
        tokens.set(node.token, token);
      }
    }

    boolean isEmpty() {
      return tokens.isEmpty();
    }

    AddedToken token(int index) {
      return tokens.get(index);
    }

    /** The longest token starting at {@code from}, packed as (end << 32 | token index), or -1. */
    long longestAt(String text, int from) {
      if (!first[text.charAt(from)]) {
        return -1;
      }
      Node node = root;
      long best = -1;
      for (int i = from; i < text.length() && node.children != null; i++) {
        node = node.children.get(text.charAt(i));
        if (node == null) {
          break;
        }
        if (node.token >= 0) {
          best = ((long) (i + 1) << 32) | node.token;
        }
      }
      return best;
    }
  }
}
