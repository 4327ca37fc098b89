package tips.drain.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tips.drain.api.EmbeddingModel;
import tips.drain.api.EmbeddingOptions;
import tips.drain.api.ModelLocator;
import tips.drain.api.OverLength;
import tips.drain.rag.ChunkOptions;
import tips.drain.rag.DocumentIndexer;
import tips.drain.rag.IndexReport;

/** {@code drain index}: text and Markdown files into a Lucene index of embedded chunks. */
@Command(name = "index", mixinStandardHelpOptions = true,
    description = {"Index text and Markdown files (or directories of them) for drain search and drain chat --index:",
        "chunks of tokens with overlap, embedded with an embedding model, stored in a Lucene index with their file and",
        "lines. Running it again re-embeds only changed files and drops files gone from the given directories."})
public final class IndexCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
      description = "Embedding model directory, or a name found in models/ or DRAIN_MODEL_PATH.")
  String model;

  @Option(names = "--index", required = true, paramLabel = "DIR", description = "The index directory (created if needed).")
  Path index;

  @Option(names = "--chunk-tokens", defaultValue = "200", paramLabel = "N", description = "Tokens per chunk (default: 200).")
  int chunkTokens;

  @Option(names = "--overlap", defaultValue = "40", paramLabel = "N",
      description = "Tokens a chunk repeats from the one before (default: 40).")
  int overlap;

  @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
  Integer threads;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories (searched for .txt, .md files).")
  List<Path> paths;

  @Override
  public Integer call() {
    ChunkOptions chunking;
    EmbeddingOptions options = EmbeddingOptions.defaults().withOverLength(OverLength.TRUNCATE);
    try {
      chunking = new ChunkOptions(chunkTokens, overlap);
      if (threads != null) {
        options = options.withThreads(threads);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (EmbeddingModel m = EmbeddingModel.load(ModelLocator.resolve(model), options)) {
      DocumentIndexer indexer;
      try {
        indexer = new DocumentIndexer(index, m, model, chunking);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--chunk-tokens: " + e.getMessage());
      }
      long start = System.nanoTime();
      ProgressBar[] bar = new ProgressBar[1];
      IndexReport r = indexer.update(paths, (done, total) -> {
        if (total == 0) {
          return;
        }
        if (bar[0] == null) {
          bar[0] = new ProgressBar(err, "embedding", total, n -> n + " chunks");
        }
        bar[0].update(done);
      });
      if (bar[0] != null) {
        bar[0].finish();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      out.printf(Locale.ROOT, "%d files indexed, %d unchanged, %d removed | %d chunks embedded (%.2f chunks/s), %d in %s%n",
          r.filesIndexed(), r.filesUnchanged(), r.filesRemoved(), r.chunksAdded(), r.chunksAdded() / seconds,
          r.chunksTotal(), index);
      out.flush();
    }
    return 0;
  }
}
