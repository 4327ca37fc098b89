package tips.drain.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import tips.drain.rag.DocumentSearcher;
import tips.drain.rag.IndexInfo;
import tips.drain.rag.SearchHit;

/** {@code drain search}: the chunks of an index nearest to a question. */
@Command(name = "search", mixinStandardHelpOptions = true,
    description = "The chunks of an index (built by drain index) nearest to a question, with similarity and source.")
public final class SearchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--index", required = true, paramLabel = "DIR", description = "The index directory.")
  Path index;

  @Option(names = "-k", defaultValue = "5", paramLabel = "N", description = "How many chunks (default: 5).")
  int k;

  @Option(names = "--json", description = "Print a JSON array of {path, start_line, end_line, similarity, text}.")
  boolean json;

  @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "The embedding model (default: the index's).")
  String model;

  @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
  Integer threads;

  @Parameters(paramLabel = "QUESTION", description = "What to look for.")
  String question;

  @Override
  public Integer call() {
    if (k < 1) {
      throw new ParameterException(spec.commandLine(), "-k must be at least 1, got " + k);
    }
    EmbeddingOptions options = EmbeddingOptions.defaults().withOverLength(OverLength.TRUNCATE);
    if (threads != null) {
      options = options.withThreads(threads);
    }
    String modelName = model != null ? model : IndexInfo.read(index).model();
    PrintWriter out = spec.commandLine().getOut();
    try (EmbeddingModel m = EmbeddingModel.load(ModelLocator.resolve(modelName), options);
        DocumentSearcher searcher = DocumentSearcher.open(index, m)) {
      List<SearchHit> hits = searcher.search(question, k);
      if (json) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SearchHit h : hits) {
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("path", h.path());
          o.put("start_line", h.startLine());
          o.put("end_line", h.endLine());
          o.put("similarity", h.similarity());
          o.put("text", h.text());
          rows.add(o);
        }
        out.println(TokenizeCommand.json(rows));
      } else {
        Table table = new Table("#", "similarity", "source", "text").right(0, 1);
        for (int i = 0; i < hits.size(); i++) {
          SearchHit h = hits.get(i);
          table.row(i + 1, String.format(Locale.ROOT, "%.4f", h.similarity()), h.source(),
              TokenizeCommand.abbreviate(h.text().replaceAll("\\s+", " ")));
        }
        table.print(out);
      }
      out.flush();
    }
    return 0;
  }
}
