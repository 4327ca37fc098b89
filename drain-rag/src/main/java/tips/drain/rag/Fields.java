package tips.drain.rag;

/** The Lucene fields of a chunk document. */
final class Fields {
  /** The source file's absolute path (indexed, stored): chunks of a file are found and deleted by it. */
  static final String PATH = "path";
  /** SHA-256 of the file's bytes when it was indexed (stored). */
  static final String HASH = "hash";
  static final String START_LINE = "start_line";
  static final String END_LINE = "end_line";
  static final String TEXT = "text";
  /** The chunk's unit-length embedding (HNSW graph, dot product). */
  static final String VECTOR = "vector";

  private Fields() {}
}
