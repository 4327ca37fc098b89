package tips.drain.rag;

import java.util.ArrayList;
import java.util.List;
import tips.drain.tokenizer.Tokenizer;

/**
 * Cuts a document into chunks of at most {@link ChunkOptions#chunkTokens()} tokens, whole lines where they fit (a
 * longer line is cut between words), each chunk starting with up to {@link ChunkOptions#overlapTokens()} tokens of
 * the end of the one before. Blank lines are kept inside chunks; chunks are never blank.
 */
public final class Chunker {
  private final Tokenizer tokenizer;
  private final ChunkOptions options;

  public Chunker(Tokenizer tokenizer, ChunkOptions options) {
    this.tokenizer = tokenizer;
    this.options = options;
  }

  /** A line, or a run of words of a long line, with its tokens. */
  private record Piece(String text, int line, int tokens) {}

  public List<Chunk> chunks(String document) {
    List<Piece> pieces = pieces(document);
    List<Chunk> chunks = new ArrayList<>();
    int start = 0;
    while (start < pieces.size()) {
      int end = start;
      int tokens = 0;
      while (end < pieces.size() && (end == start || tokens + pieces.get(end).tokens() <= options.chunkTokens())) {
        tokens += pieces.get(end).tokens();
        end++;
      }
      StringBuilder text = new StringBuilder();
      int lastLine = -1;
      for (int i = start; i < end; i++) {
        Piece p = pieces.get(i);
        if (lastLine >= 0) {
          text.append(p.line() == lastLine ? " " : "\n".repeat(p.line() - lastLine));
        }
        text.append(p.text());
        lastLine = p.line();
      }
      if (!text.toString().isBlank()) {
        chunks.add(new Chunk(text.toString(), pieces.get(start).line(), pieces.get(end - 1).line()));
      }
      if (end == pieces.size()) {
        break;
      }
      // the next chunk starts with the pieces of this one's end that fit in the overlap, but always moves on
      int next = end;
      int overlap = 0;
      while (next - 1 > start && overlap + pieces.get(next - 1).tokens() <= options.overlapTokens()) {
        overlap += pieces.get(--next).tokens();
      }
      start = next;
    }
    return chunks;
  }

  /** The non-blank lines of {@code document}, a line over the chunk size cut into runs of words that fit. */
  private List<Piece> pieces(String document) {
    List<Piece> pieces = new ArrayList<>();
    String[] lines = document.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].stripTrailing();
      if (line.isBlank()) {
        continue;
      }
      int tokens = count(line);
      if (tokens <= options.chunkTokens()) {
        pieces.add(new Piece(line, i + 1, tokens));
        continue;
      }
      StringBuilder run = new StringBuilder();
      int runTokens = 0;
      for (String word : line.strip().split("\\s+")) {
        int t = count(word);
        if (run.length() > 0 && runTokens + t > options.chunkTokens()) {
          pieces.add(new Piece(run.toString(), i + 1, runTokens));
          run.setLength(0);
          runTokens = 0;
        }
        run.append(run.length() > 0 ? " " : "").append(word);
        runTokens += t;
      }
      if (run.length() > 0) {
        pieces.add(new Piece(run.toString(), i + 1, runTokens));
      }
    }
    return pieces;
  }

  private int count(String text) {
    return tokenizer.encode(text, false).length;
  }
}
