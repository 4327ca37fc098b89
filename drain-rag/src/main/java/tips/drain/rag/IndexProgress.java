package tips.drain.rag;

/** Hears how an index update goes: chunks embedded so far out of those to embed. */
@FunctionalInterface
public interface IndexProgress {
  void chunksEmbedded(int done, int total);

  IndexProgress NONE = (done, total) -> {};
}
