package tips.drain.rag;

/** A piece of a document: its text and the lines it spans (from 1, both inclusive). */
public record Chunk(String text, int startLine, int endLine) {}
