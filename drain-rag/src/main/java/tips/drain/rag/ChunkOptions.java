package tips.drain.rag;

/**
 * How documents are cut into chunks.
 *
 * @param chunkTokens tokens per chunk at most (special tokens not counted)
 * @param overlapTokens tokens a chunk repeats from the end of the one before, at most
 */
public record ChunkOptions(int chunkTokens, int overlapTokens) {
  /** 200 tokens per chunk, 40 of them repeated. */
  public static final ChunkOptions DEFAULT = new ChunkOptions(200, 40);

  public ChunkOptions {
    if (chunkTokens < 8) {
      throw new IllegalArgumentException("chunk tokens must be at least 8, got " + chunkTokens);
    }
    if (overlapTokens < 0 || overlapTokens >= chunkTokens) {
      throw new IllegalArgumentException("overlap must be at least 0 and below the chunk size " + chunkTokens + ", got "
          + overlapTokens);
    }
  }
}
