package tips.drain.rag;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import tips.drain.api.EmbeddingModel;
import tips.drain.embedding.Pooling;

/**
 * Finds the chunks of a DRAIN index nearest to a question: the question is embedded with the index's model and
 * looked up in the HNSW graph. Holds the index open (a point-in-time view) until closed; thread-safe.
 *
 * <pre>{@code
 * try (EmbeddingModel model = EmbeddingModel.load(Path.of(IndexInfo.read(dir).model()));
 *      DocumentSearcher searcher = DocumentSearcher.open(dir, model)) {
 *   for (SearchHit hit : searcher.search("How do I load a model?", 5)) System.out.println(hit.source());
 * }
 * }</pre>
 */
public final class DocumentSearcher implements AutoCloseable {
  private final Path dir;
  private final Directory directory;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final EmbeddingModel model;
  private final IndexInfo info;

  private DocumentSearcher(Path dir, Directory directory, DirectoryReader reader, EmbeddingModel model, IndexInfo info) {
    this.dir = dir;
    this.directory = directory;
    this.reader = reader;
    this.searcher = new IndexSearcher(reader);
    this.model = model;
    this.info = info;
  }

  /**
   * Opens the index in {@code dir} for search with {@code model}, which must be the one that built it.
   *
   * @throws RagException when there is no index, it is corrupted, or it was built with another model
   */
  public static DocumentSearcher open(Path dir, EmbeddingModel model) {
    Directory directory = null;
    DirectoryReader reader = null;
    try {
      directory = IndexInfo.openDirectory(dir);
      reader = IndexInfo.openReader(dir, directory);
      IndexInfo info = IndexInfo.of(dir, reader);
      if (info.dimension() != model.dimension()) {
        throw new RagException(dir + ": built with " + info.modelName() + " (" + info.dimension() + " dimensions); "
            + model.directory() + " gives " + model.dimension());
      }
      return new DocumentSearcher(dir, directory, reader, model, info);
    } catch (IOException | RuntimeException e) {
      closeQuietly(reader, directory);
      if (e instanceof IOException io) {
        throw IndexInfo.error(dir, io);
      }
      throw (RuntimeException) e;
    }
  }

  private static void closeQuietly(AutoCloseable... resources) {
    for (AutoCloseable r : resources) {
      if (r != null) {
        try {
          r.close();
        } catch (Exception ignored) {
          // already failing: the first error is the one to report
        }
      }
    }
  }

  /** The {@code k} chunks nearest to {@code question}, nearest first. */
  public List<SearchHit> search(String question, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    float[] query = model.embed(question);
    Pooling.normalize(query);
    try {
      TopDocs top = searcher.search(new KnnFloatVectorQuery(Fields.VECTOR, query, k), k);
      StoredFields stored = searcher.storedFields();
      List<SearchHit> hits = new ArrayList<>(top.scoreDocs.length);
      for (ScoreDoc sd : top.scoreDocs) {
        Document d = stored.document(sd.doc);
        // Lucene's dot-product score is (1 + cosine) / 2 for unit vectors
        hits.add(new SearchHit(d.get(Fields.PATH), d.getField(Fields.START_LINE).numericValue().intValue(),
            d.getField(Fields.END_LINE).numericValue().intValue(), d.get(Fields.TEXT), 2.0 * sd.score - 1.0));
      }
      return hits;
    } catch (IOException e) {
      throw IndexInfo.error(dir, e);
    }
  }

  /** What the index records about itself. */
  public IndexInfo info() {
    return info;
  }

  @Override
  public void close() {
    try {
      reader.close();
      directory.close();
    } catch (IOException e) {
      throw IndexInfo.error(dir, e);
    }
  }
}
