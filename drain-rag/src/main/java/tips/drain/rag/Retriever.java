package tips.drain.rag;

import java.nio.file.Path;
import java.util.List;
import tips.drain.api.EmbeddingModel;
import tips.drain.api.EmbeddingOptions;
import tips.drain.api.ModelLocator;
import tips.drain.api.OverLength;

/**
 * Retrieval for a chat: an index opened with the embedding model it records, the nearest chunks of each question,
 * and the question rewritten to carry them as numbered sources that the answer is asked to name.
 *
 * <pre>{@code
 * try (Retriever retriever = Retriever.open(Path.of("my-index"), 2)) {
 *   List<SearchHit> hits = retriever.retrieve(question, 3);
 *   chat.send(Retriever.augment(question, hits), options, listener);
 * }
 * }</pre>
 */
public final class Retriever implements AutoCloseable {
  private final EmbeddingModel model;
  private final DocumentSearcher searcher;

  private Retriever(EmbeddingModel model, DocumentSearcher searcher) {
    this.model = model;
    this.searcher = searcher;
  }

  /** Opens the index in {@code dir} with the model it was built with, on {@code threads} threads. */
  public static Retriever open(Path dir, int threads) {
    IndexInfo info = IndexInfo.read(dir);
    EmbeddingModel model = EmbeddingModel.load(ModelLocator.resolve(info.model()),
        EmbeddingOptions.defaults().withThreads(threads).withOverLength(OverLength.TRUNCATE));
    try {
      return new Retriever(model, DocumentSearcher.open(dir, model));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** The {@code k} chunks nearest to {@code question}. */
  public List<SearchHit> retrieve(String question, int k) {
    return searcher.search(question, k);
  }

  /** {@code question} with the chunks before it as numbered sources, and the request to name the ones used. */
  public static String augment(String question, List<SearchHit> hits) {
    StringBuilder sb = new StringBuilder("Answer the question from these sources. Name the sources you use by their "
        + "number and file.\n\n");
    for (int i = 0; i < hits.size(); i++) {
      SearchHit h = hits.get(i);
      sb.append('[').append(i + 1).append("] ").append(h.source()).append('\n').append(h.text().strip()).append("\n\n");
    }
    return sb.append("Question: ").append(question).toString();
  }

  @Override
  public void close() {
    try {
      searcher.close();
    } finally {
      model.close();
    }
  }
}
