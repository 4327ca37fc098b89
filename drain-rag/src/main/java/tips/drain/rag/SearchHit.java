package tips.drain.rag;

/**
 * A chunk found for a query: its source file, lines (from 1, inclusive), text, and cosine similarity to the query.
 */
public record SearchHit(String path, int startLine, int endLine, String text, double similarity) {

  /** {@code path:start-end}, the way the answer of a chat names its source. */
  public String source() {
    return path + ":" + startLine + "-" + endLine;
  }
}
