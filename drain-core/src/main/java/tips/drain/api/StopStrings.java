package tips.drain.api;

import java.util.List;

/**
 * Streams generated text while watching for stop strings: text that could still turn into a stop string is
 * held back until it cannot.
 */
final class StopStrings {
  private final List<String> stops;
  private final StringBuilder text = new StringBuilder();
  private int emitted;
  private boolean stopped;

  StopStrings(List<String> stops) {
    this.stops = stops;
  }

  /** Appends a piece; returns the text that can now be shown (possibly empty). */
  String append(String piece) {
    text.append(piece);
    int cut = text.length();
    for (String s : stops) {
      int at = text.indexOf(s, Math.max(0, emitted - s.length() + 1));
      if (at >= 0 && at < cut) {
        cut = at;
        stopped = true;
      }
    }
    if (stopped) {
      text.setLength(cut);
      return flushTo(cut);
    }
    int safe = text.length();
    for (String s : stops) {
      safe = Math.min(safe, text.length() - longestPrefixSuffix(s));
    }
    return flushTo(Math.max(safe, emitted));
  }

  /** The rest of the held-back text, at the end of generation. */
  String finish() {
    return flushTo(text.length());
  }

  boolean stopped() {
    return stopped;
  }

  /** The whole visible text so far. */
  String text() {
    return text.toString();
  }

  private String flushTo(int end) {
    String out = text.substring(emitted, end);
    emitted = end;
    return out;
  }

  /** Length of the longest suffix of the text that is a proper prefix of {@code stop}. */
  private int longestPrefixSuffix(String stop) {
    int max = Math.min(stop.length() - 1, text.length());
    for (int len = max; len > 0; len--) {
      if (text.substring(text.length() - len).equals(stop.substring(0, len))) {
        return len;
      }
    }
    return 0;
  }
}
