package tips.drain.tokenizer;

/**
 * What a split does with the delimiters it finds, as in Hugging Face's {@code SplitDelimiterBehavior}:
 * drop them, keep each as its own piece, glue them to the previous or next piece, or glue runs of them.
 */
enum SplitBehavior {
  REMOVED,
  ISOLATED,
  MERGED_WITH_PREVIOUS,
  MERGED_WITH_NEXT,
  CONTIGUOUS;

  static SplitBehavior fromJson(String name, JsonPath where) {
    return switch (name) {
      case "Removed" -> REMOVED;
      case "Isolated" -> ISOLATED;
      case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
      case "MergedWithNext" -> MERGED_WITH_NEXT;
      case "Contiguous" -> CONTIGUOUS;
      default -> throw where.error("unknown split behavior '" + name + "'");
    };
  }

  /**
   * Splits {@code text} at the matches of {@code pattern} (or between them, with {@code invert}) and hands the
   * non-empty pieces to {@code out}.
   */
  void split(String text, SplitPattern pattern, boolean invert, boolean atStart, PreTokenizer.Sink out) {
    IntList m = new IntList(16);
    pattern.findMatches(text, m);
    // Segments covering the whole text: start, end, isMatch (as in NormalizedString::split).
    int n = text.length();
    int count = 0;
    int[] starts = new int[m.size() + 1];
    int[] ends = new int[m.size() + 1];
    boolean[] matched = new boolean[m.size() + 1];
    int prev = 0;
    for (int i = 0; i < m.size(); i += 2) {
      int s = m.get(i);
      int e = m.get(i + 1);
      if (prev != s) {
        starts[count] = prev;
        ends[count] = s;
        matched[count++] = invert;
      }
      starts[count] = s;
      ends[count] = e;
      matched[count++] = !invert;
      prev = e;
    }
    if (prev != n) {
      starts[count] = prev;
      ends[count] = n;
      matched[count++] = invert;
    }
    switch (this) {
      case REMOVED -> {
        for (int i = 0; i < count; i++) {
          if (!matched[i]) {
            emit(text, starts[i], ends[i], atStart, out);
          }
        }
      }
      case ISOLATED -> {
        for (int i = 0; i < count; i++) {
          emit(text, starts[i], ends[i], atStart, out);
        }
      }
      case MERGED_WITH_PREVIOUS -> {
        int from = -1;
        int to = -1;
        boolean previousMatch = false;
        for (int i = 0; i < count; i++) {
          if (matched[i] && !previousMatch && from >= 0) {
            to = ends[i];
          } else {
            if (from >= 0) {
              emit(text, from, to, atStart, out);
            }
            from = starts[i];
            to = ends[i];
          }
          previousMatch = matched[i];
        }
        if (from >= 0) {
          emit(text, from, to, atStart, out);
        }
      }
      case MERGED_WITH_NEXT -> {
        // Walk backwards, gluing a delimiter onto the piece after it, then emit in order.
        int[] fs = new int[count];
        int[] ts = new int[count];
        int k = 0;
        boolean previousMatch = false;
        for (int i = count - 1; i >= 0; i--) {
          if (matched[i] && !previousMatch && k > 0) {
            fs[k - 1] = starts[i];
          } else {
            fs[k] = starts[i];
            ts[k++] = ends[i];
          }
          previousMatch = matched[i];
        }
        for (int i = k - 1; i >= 0; i--) {
          emit(text, fs[i], ts[i], atStart, out);
        }
      }
      case CONTIGUOUS -> {
        int from = -1;
        int to = -1;
        boolean previousMatch = false;
        for (int i = 0; i < count; i++) {
          if (matched[i] == previousMatch && from >= 0) {
            to = ends[i];
          } else {
            if (from >= 0) {
              emit(text, from, to, atStart, out);
            }
            from = starts[i];
            to = ends[i];
          }
          previousMatch = matched[i];
        }
        if (from >= 0) {
          emit(text, from, to, atStart, out);
        }
      }
    }
  }

  private static void emit(String text, int from, int to, boolean atStart, PreTokenizer.Sink out) {
    if (to > from) {
      out.accept(from == 0 && to == text.length() ? text : text.substring(from, to), atStart && from == 0);
    }
  }
}
