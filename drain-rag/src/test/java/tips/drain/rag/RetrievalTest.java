package tips.drain.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.api.EmbeddingModel;
import tips.drain.api.EmbeddingOptions;
import tips.drain.testing.TestData;

/**
 * A small corpus written by the test, indexed with all-MiniLM-L6-v2 into Lucene: questions find the chunk that
 * answers them, with file and lines; re-indexing embeds only what changed; a corrupted index is refused.
 */
class RetrievalTest {
  private static EmbeddingModel model;
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    model = EmbeddingModel.load(TestData.model("all-MiniLM-L6-v2"), EmbeddingOptions.defaults().withThreads(2));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private Path corpus() throws IOException {
    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(docs.resolve("cooking.md"), """
        # Cooking

        Boil the pasta in salted water for ten minutes, then drain it.

        Bake the bread at 220 degrees until the crust is brown.
        """);
    Files.writeString(docs.resolve("space.txt"), """
        The Moon orbits the Earth once every 27 days.
        Mars has two small moons, Phobos and Deimos.
        """);
    Files.writeString(docs.resolve("sports.md"), "The goalkeeper caught the ball in the final minute of the match.\n");
    Files.writeString(docs.resolve("ignored.bin"), "not a text file by its name");
    return docs;
  }

  private DocumentIndexer indexer(ChunkOptions options) {
    return new DocumentIndexer(dir.resolve("index"), model, TestData.model("all-MiniLM-L6-v2").toString(), options);
  }

  @Test
  void questionsFindTheirChunksWithSourcesAndLines() throws IOException {
    Path docs = corpus();
    List<int[]> steps = new ArrayList<>();
    IndexReport report = indexer(new ChunkOptions(16, 0)).update(List.of(docs), (done, total) -> steps.add(new int[] {done, total}));
    assertEquals(3, report.filesIndexed());
    assertEquals(report.chunksAdded(), report.chunksTotal());
    assertTrue(report.chunksAdded() >= 5, "chunks: " + report.chunksAdded());
    assertEquals(report.chunksAdded(), steps.get(steps.size() - 1)[0], "progress reaches the end");
    try (DocumentSearcher searcher = DocumentSearcher.open(dir.resolve("index"), model)) {
      SearchHit pasta = searcher.search("How long should I cook spaghetti?", 3).get(0);
      assertEquals(docs.resolve("cooking.md").toAbsolutePath().toString(), pasta.path());
      assertEquals(3, pasta.startLine());
      assertTrue(pasta.text().contains("pasta"), pasta.text());
      SearchHit moons = searcher.search("What are the satellites of the red planet?", 1).get(0);
      assertTrue(moons.text().contains("Phobos"), moons.text());
      assertEquals(2, moons.startLine());
      assertTrue(moons.source().endsWith("space.txt:2-2"), moons.source());
      SearchHit football = searcher.search("soccer game", 1).get(0);
      assertTrue(football.path().endsWith("sports.md"), football.path());
      assertTrue(football.similarity() > 0.2 && football.similarity() <= 1.0001, "similarity " + football.similarity());
      assertEquals(384, searcher.info().dimension());
    }
  }

  @Test
  void reindexingEmbedsOnlyChangedFilesAndDropsRemovedOnes() throws IOException {
    Path docs = corpus();
    DocumentIndexer indexer = indexer(new ChunkOptions(16, 0));
    IndexReport first = indexer.update(List.of(docs), IndexProgress.NONE);
    IndexReport again = indexer.update(List.of(docs), IndexProgress.NONE);
    assertEquals(new IndexReport(0, 3, 0, 0, first.chunksTotal()), again);

    Files.writeString(docs.resolve("space.txt"), "Jupiter is the largest planet and has a great red storm.\n");
    Files.delete(docs.resolve("sports.md"));
    IndexReport changed = indexer.update(List.of(docs), IndexProgress.NONE);
    assertEquals(1, changed.filesIndexed());
    assertEquals(1, changed.filesUnchanged());
    assertEquals(1, changed.filesRemoved());
    assertEquals(1, changed.chunksAdded());
    try (DocumentSearcher searcher = DocumentSearcher.open(dir.resolve("index"), model)) {
      SearchHit hit = searcher.search("biggest planet in the solar system", 1).get(0);
      assertTrue(hit.text().contains("Jupiter"), hit.text());
      for (SearchHit h : searcher.search("moons of Mars", 10)) {
        assertTrue(!h.text().contains("Phobos") && !h.path().endsWith("sports.md"), "stale chunk " + h.source());
      }
    }
  }

  @Test
  void chunksOverlapAndCoverEveryLine() {
    Chunker chunker = new Chunker(model.tokenizer(), new ChunkOptions(12, 6));
    StringBuilder doc = new StringBuilder();
    for (int i = 1; i <= 10; i++) {
      doc.append("line number ").append(i).append(" says hello\n");
    }
    List<Chunk> chunks = chunker.chunks(doc.toString());
    assertEquals(1, chunks.get(0).startLine());
    assertEquals(10, chunks.get(chunks.size() - 1).endLine());
    for (int i = 1; i < chunks.size(); i++) {
      // each line has 5 tokens: two lines per chunk, the second repeated as the next chunk's first
      assertEquals(chunks.get(i - 1).endLine(), chunks.get(i).startLine(), "overlap at chunk " + i);
      assertTrue(model.tokenizer().encode(chunks.get(i).text(), false).length <= 12);
    }
    // a line longer than a chunk is cut between words
    List<Chunk> longLine = chunker.chunks("word ".repeat(40));
    assertTrue(longLine.size() >= 4, "pieces: " + longLine.size());
    assertTrue(longLine.stream().allMatch(c -> c.startLine() == 1 && c.endLine() == 1));
  }

  @Test
  void aCorruptedIndexIsRefusedClearly() throws IOException {
    Path docs = corpus();
    indexer(ChunkOptions.DEFAULT).update(List.of(docs), IndexProgress.NONE);
    Path index = dir.resolve("index");
    try (Stream<Path> files = Files.list(index)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("segments_")).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        for (int i = bytes.length / 2; i < bytes.length; i++) {
          bytes[i] ^= 0x5A;
        }
        Files.write(f, bytes);
      }
    }
    RagException e = assertThrows(RagException.class, () -> DocumentSearcher.open(index, model));
    assertTrue(e.getMessage().startsWith(index + ": corrupted index, refusing to use it"), e.getMessage());
    RagException update = assertThrows(RagException.class,
        () -> indexer(ChunkOptions.DEFAULT).update(List.of(docs), IndexProgress.NONE));
    assertTrue(update.getMessage().startsWith(index + ": corrupted index"), update.getMessage());
  }

  @Test
  void missingIndexAndOtherModelsAreNamed() throws IOException {
    RagException none = assertThrows(RagException.class, () -> DocumentSearcher.open(dir.resolve("nowhere"), model));
    assertTrue(none.getMessage().contains("no index here"), none.getMessage());
    Path docs = corpus();
    indexer(ChunkOptions.DEFAULT).update(List.of(docs), IndexProgress.NONE);
    RagException sizes = assertThrows(RagException.class,
        () -> indexer(new ChunkOptions(100, 10)).update(List.of(docs), IndexProgress.NONE));
    assertTrue(sizes.getMessage().contains("built with chunks of 200 tokens, overlap 40"), sizes.getMessage());
    IndexInfo info = IndexInfo.read(dir.resolve("index"));
    assertEquals("all-MiniLM-L6-v2", info.modelName());
    assertEquals(TestData.model("all-MiniLM-L6-v2").toString(), info.model());
  }
}
