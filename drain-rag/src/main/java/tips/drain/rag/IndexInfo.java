package tips.drain.rag;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * What a DRAIN index records about itself in its Lucene commit: the embedding model that built it, the vectors'
 * dimension and the chunking; and how many chunks it holds.
 *
 * @param model the model directory as given when the index was built
 * @param modelName that directory's name, which an update must match
 */
public record IndexInfo(String model, String modelName, int dimension, ChunkOptions chunking, int chunks) {
  static final String FORMAT = "drain.format";
  static final String FORMAT_VERSION = "1";
  static final String MODEL = "drain.model";
  static final String MODEL_NAME = "drain.model_name";
  static final String DIMENSION = "drain.dimension";
  static final String CHUNK_TOKENS = "drain.chunk_tokens";
  static final String OVERLAP_TOKENS = "drain.overlap_tokens";

  /** Reads the index in {@code dir}. */
  public static IndexInfo read(Path dir) {
    try (Directory directory = openDirectory(dir); DirectoryReader reader = openReader(dir, directory)) {
      return of(dir, reader);
    } catch (IOException e) {
      throw error(dir, e);
    }
  }

  /** The record of an open reader's commit. */
  static IndexInfo of(Path dir, DirectoryReader reader) throws IOException {
    Map<String, String> data = new HashMap<>(reader.getIndexCommit().getUserData());
    if (!FORMAT_VERSION.equals(data.get(FORMAT))) {
      throw new RagException(dir + ": a Lucene index, but not one DRAIN wrote (no " + FORMAT + " " + FORMAT_VERSION
          + " in its commit)");
    }
    try {
      return new IndexInfo(data.get(MODEL), data.get(MODEL_NAME), Integer.parseInt(data.get(DIMENSION)),
          new ChunkOptions(Integer.parseInt(data.get(CHUNK_TOKENS)), Integer.parseInt(data.get(OVERLAP_TOKENS))),
          reader.numDocs());
    } catch (RuntimeException e) {
      throw new RagException(dir + ": corrupted index: its commit data is incomplete (" + data + ")");
    }
  }

  static Directory openDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new RagException(dir + ": no index here (not a directory); build one with drain index");
    }
    return FSDirectory.open(dir);
  }

  static DirectoryReader openReader(Path dir, Directory directory) throws IOException {
    if (!DirectoryReader.indexExists(directory)) {
      throw new RagException(dir + ": no index here; build one with drain index");
    }
    return DirectoryReader.open(directory);
  }

  /** A Lucene or I/O failure on the index in {@code dir}, as a one-line error. */
  static RagException error(Path dir, IOException e) {
    if (e instanceof CorruptIndexException || e instanceof IndexFormatTooOldException
        || e instanceof IndexFormatTooNewException || e instanceof java.io.EOFException
        || e instanceof NoSuchFileException || e instanceof IndexNotFoundException) {
      return new RagException(dir + ": corrupted index, refusing to use it (" + e.getClass().getSimpleName() + "); "
          + "delete the directory and index again", e);
    }
    return new RagException(dir + ": cannot read or write the index: " + e.getMessage(), e);
  }
}
