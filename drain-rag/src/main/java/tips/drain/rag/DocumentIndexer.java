package tips.drain.rag;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;
import tips.drain.api.EmbeddingModel;
import tips.drain.embedding.Pooling;

/**
 * Builds and updates a DRAIN index: text and Markdown files cut into token chunks ({@link Chunker}), embedded in
 * batches, and stored in an Apache Lucene index with their vectors (an HNSW graph), source file and line range. A
 * file whose content hash is already in the index is skipped; a changed file's chunks are replaced; files gone from
 * a given directory are removed. One update is one Lucene commit: an update that fails leaves the index as it was.
 *
 * <pre>{@code
 * try (EmbeddingModel model = EmbeddingModel.load(Path.of("models/all-MiniLM-L6-v2"))) {
 *   IndexReport r = new DocumentIndexer(Path.of("index"), model, "all-MiniLM-L6-v2", ChunkOptions.DEFAULT)
 *       .update(List.of(Path.of("docs")), IndexProgress.NONE);
 * }
 * }</pre>
 */
public final class DocumentIndexer {
  /** Chunks embedded per call of the model (one progress step). */
  static final int EMBED_BATCH = 64;
  private static final Set<String> TEXT_EXTENSIONS = Set.of("txt", "md", "markdown", "text", "rst");

  private final Path indexDir;
  private final EmbeddingModel model;
  private final String modelSource;
  private final ChunkOptions chunking;

  /**
   * @param modelSource how the model was named (recorded in the index, so that search can load it again)
   */
  public DocumentIndexer(Path indexDir, EmbeddingModel model, String modelSource, ChunkOptions chunking) {
    this.indexDir = indexDir;
    this.model = model;
    this.modelSource = modelSource;
    this.chunking = chunking;
    if (chunking.chunkTokens() > model.maxSeqLength() - model.tokenizer().specialTokenCount()) {
      throw new IllegalArgumentException("chunks of " + chunking.chunkTokens() + " tokens do not fit the model's "
          + model.maxSeqLength() + " tokens per text (with " + model.tokenizer().specialTokenCount() + " special tokens)");
    }
  }

  /** A file to (re)index: its absolute path, content and hash. */
  private record Source(String path, String text, String hash) {}

  /** Indexes {@code paths} (files, or directories searched for .txt/.md files) into the index, creating it if needed. */
  public IndexReport update(List<Path> paths, IndexProgress progress) {
    Map<String, Path> files = new LinkedHashMap<>();
    List<String> roots = new ArrayList<>();
    for (Path p : paths) {
      collect(p, files, roots);
    }
    try {
      Files.createDirectories(indexDir);
    } catch (IOException e) {
      throw new RagException(indexDir + ": cannot create the index directory: " + e.getMessage(), e);
    }
    try (Directory directory = IndexInfo.openDirectory(indexDir)) {
      boolean exists = DirectoryReader.indexExists(directory);
      Map<String, String> indexedHashes = exists ? indexedHashes(directory) : Map.of();
      IndexWriterConfig config = new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
          .setCommitOnClose(false);
      try (IndexWriter writer = new IndexWriter(directory, config)) {
        try {
          return update(writer, files, roots, indexedHashes, progress);
        } catch (RuntimeException | IOException | Error e) {
          writer.rollback();
          throw e;
        }
      }
    } catch (IOException e) {
      throw IndexInfo.error(indexDir, e);
    }
  }

  private IndexReport update(IndexWriter writer, Map<String, Path> files, List<String> roots,
      Map<String, String> indexedHashes, IndexProgress progress) throws IOException {
    // what changed: new or changed files to chunk, unchanged ones to keep, vanished ones to drop
    List<Source> changed = new ArrayList<>();
    int unchanged = 0;
    for (Map.Entry<String, Path> f : files.entrySet()) {
      byte[] bytes = Files.readAllBytes(f.getValue());
      String hash = sha256(bytes);
      if (hash.equals(indexedHashes.get(f.getKey()))) {
        unchanged++;
      } else {
        changed.add(new Source(f.getKey(), utf8(f.getValue(), bytes), hash));
      }
    }
    int removed = 0;
    for (String indexed : indexedHashes.keySet()) {
      if (!files.containsKey(indexed) && roots.stream().anyMatch(indexed::startsWith)) {
        writer.deleteDocuments(new Term(Fields.PATH, indexed));
        removed++;
      }
    }
    Chunker chunker = new Chunker(model.tokenizer(), chunking);
    List<Source> owners = new ArrayList<>();
    List<Chunk> chunks = new ArrayList<>();
    for (Source s : changed) {
      writer.deleteDocuments(new Term(Fields.PATH, s.path()));
      for (Chunk c : chunker.chunks(s.text())) {
        owners.add(s);
        chunks.add(c);
      }
    }
    progress.chunksEmbedded(0, chunks.size());
    for (int from = 0; from < chunks.size(); from += EMBED_BATCH) {
      int to = Math.min(chunks.size(), from + EMBED_BATCH);
      List<float[]> vectors = model.embedAll(chunks.subList(from, to).stream().map(Chunk::text).toList());
      for (int i = from; i < to; i++) {
        writer.addDocument(document(owners.get(i), chunks.get(i), vectors.get(i - from)));
      }
      progress.chunksEmbedded(to, chunks.size());
    }
    Map<String, String> commit = new LinkedHashMap<>();
    commit.put(IndexInfo.FORMAT, IndexInfo.FORMAT_VERSION);
    commit.put(IndexInfo.MODEL, modelSource);
    commit.put(IndexInfo.MODEL_NAME, modelName());
    commit.put(IndexInfo.DIMENSION, String.valueOf(model.dimension()));
    commit.put(IndexInfo.CHUNK_TOKENS, String.valueOf(chunking.chunkTokens()));
    commit.put(IndexInfo.OVERLAP_TOKENS, String.valueOf(chunking.overlapTokens()));
    writer.setLiveCommitData(commit.entrySet());
    writer.commit();
    return new IndexReport(changed.size(), unchanged, removed, chunks.size(), (int) writer.getDocStats().numDocs);
  }

  private String modelName() {
    Path name = model.directory().toAbsolutePath().normalize().getFileName();
    return name == null ? model.directory().toString() : name.toString();
  }

  /** Each indexed file's hash; refuses an index built with another model or chunking. */
  private Map<String, String> indexedHashes(Directory directory) throws IOException {
    Map<String, String> hashes = new LinkedHashMap<>();
    try (DirectoryReader reader = DirectoryReader.open(directory)) {
      IndexInfo info = IndexInfo.of(indexDir, reader);
      if (!info.modelName().equals(modelName()) || info.dimension() != model.dimension()) {
        throw new RagException(indexDir + ": built with model " + info.modelName() + " (" + info.dimension()
            + " dimensions), not " + modelName() + " (" + model.dimension() + "); index into another directory or use "
            + info.model());
      }
      if (!info.chunking().equals(chunking)) {
        throw new RagException(indexDir + ": built with chunks of " + info.chunking().chunkTokens() + " tokens, overlap "
            + info.chunking().overlapTokens() + ", not " + chunking.chunkTokens() + "/" + chunking.overlapTokens()
            + "; index into another directory or use the same sizes");
      }
      IndexSearcher searcher = new IndexSearcher(reader);
      for (LeafReaderContext leaf : reader.leaves()) {
        Terms terms = leaf.reader().terms(Fields.PATH);
        if (terms == null) {
          continue;
        }
        TermsEnum e = terms.iterator();
        for (BytesRef term = e.next(); term != null; term = e.next()) {
          String path = term.utf8ToString();
          TopDocs top = searcher.search(new TermQuery(new Term(Fields.PATH, path)), 1);
          if (top.scoreDocs.length > 0) {
            hashes.put(path, searcher.storedFields().document(top.scoreDocs[0].doc).get(Fields.HASH));
          }
        }
      }
    }
    return hashes;
  }

  private static Document document(Source source, Chunk chunk, float[] vector) {
    float[] unit = vector.clone();
    Pooling.normalize(unit);
    Document d = new Document();
    d.add(new StringField(Fields.PATH, source.path(), Field.Store.YES));
    d.add(new StoredField(Fields.HASH, source.hash()));
    d.add(new StoredField(Fields.START_LINE, chunk.startLine()));
    d.add(new StoredField(Fields.END_LINE, chunk.endLine()));
    d.add(new StoredField(Fields.TEXT, chunk.text()));
    d.add(new KnnFloatVectorField(Fields.VECTOR, unit, VectorSimilarityFunction.DOT_PRODUCT));
    return d;
  }

  /** Adds {@code p} (a file) or the text files under it (a directory) to {@code files}, by absolute path. */
  private static void collect(Path p, Map<String, Path> files, List<String> roots) {
    Path abs = p.toAbsolutePath().normalize();
    if (Files.isRegularFile(abs)) {
      files.put(abs.toString(), abs);
      return;
    }
    if (!Files.isDirectory(abs)) {
      throw new RagException(p + ": no such file or directory");
    }
    roots.add(abs + abs.getFileSystem().getSeparator());
    try (Stream<Path> walk = Files.walk(abs)) {
      walk.filter(Files::isRegularFile).filter(DocumentIndexer::isText).sorted()
          .forEach(f -> files.put(f.toString(), f));
    } catch (IOException e) {
      throw new RagException(p + ": cannot list the directory: " + e.getMessage(), e);
    }
  }

  private static boolean isText(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && TEXT_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static String utf8(Path file, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new RagException(file + ": not UTF-8 text");
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
