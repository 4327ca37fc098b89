package tips.drain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.PrintWriter;
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
import tips.drain.DrainException;
import tips.drain.api.EmbeddingBatch;
import tips.drain.api.EmbeddingModel;
import tips.drain.api.EmbeddingOptions;
import tips.drain.api.ModelLocator;
import tips.drain.api.OverLength;
import tips.drain.embedding.Pooling;

/** {@code drain embed}: texts to vectors with an embedding model (BERT family, sentence-transformers layout). */
@Command(name = "embed", mixinStandardHelpOptions = true,
    description = {"Embed texts with an embedding model (all-MiniLM, bge, e5...): the vectors' first values and, for",
        "several texts, their cosine similarities as tables; --jsonl writes one JSON object per text.",
        "Without TEXT, texts are read from stdin, one per line (with --jsonl, one JSON string per line)."})
public final class EmbedCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
      description = "Model directory, or a name found in models/ or DRAIN_MODEL_PATH.")
  String model;

  @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
  Integer threads;

  @Option(names = "--jsonl", description = "Write {\"index\", \"tokens\", \"embedding\"} per line; stdin lines are JSON strings.")
  boolean jsonl;

  @Option(names = "--truncate", description = "Cut texts over the model's max_seq_length instead of refusing them.")
  boolean truncate;

  @Option(names = "--max-seq-length", paramLabel = "N", description = "Tokens per text at most (default: the model's).")
  Integer maxSeqLength;

  @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to embed (default: stdin).")
  List<String> texts;

  /** Where texts come from without TEXT (tests replace it). */
  InputStream stdin = System.in;

  @Override
  public Integer call() {
    EmbeddingOptions options;
    try {
      options = EmbeddingOptions.defaults().withOverLength(truncate ? OverLength.TRUNCATE : OverLength.FAIL);
      if (threads != null) {
        options = options.withThreads(threads);
      }
      if (maxSeqLength != null) {
        options = options.withMaxSeqLength(maxSeqLength);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    List<String> input = texts != null && !texts.isEmpty() ? texts : readStdin();
    if (input.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "no texts: give TEXT arguments or lines on stdin");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (EmbeddingModel m = EmbeddingModel.load(ModelLocator.resolve(model), options)) {
      long start = System.nanoTime();
      EmbeddingBatch batch = m.embedBatch(input);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (jsonl) {
        for (int i = 0; i < input.size(); i++) {
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("index", i);
          o.put("tokens", batch.tokenCounts()[i]);
          o.put("embedding", batch.vectors().get(i));
          out.println(TokenizeCommand.json(o));
        }
      } else {
        printTables(out, input, batch);
      }
      out.flush();
      err.printf(Locale.ROOT, "%d texts, %d tokens | %.1f texts/s | dimension %d, %s pooling%s | %s, %d threads%n",
          input.size(), batch.totalTokens(), input.size() / seconds, m.dimension(),
          m.pooling().stream().map(p -> p.name().toLowerCase(Locale.ROOT)).reduce((a, b) -> a + "+" + b).orElseThrow(),
          m.normalizes() ? ", normalized" : "", m.kernelsName(), m.threads());
      err.flush();
    }
    return 0;
  }

  private List<String> readStdin() {
    List<String> lines = new ArrayList<>();
    TokenizeCommand.forEachLine(stdin, (number, line) -> {
      if (!jsonl) {
        lines.add(line);
        return;
      }
      JsonNode node = TokenizeCommand.parse(number, line);
      if (!node.isTextual()) {
        throw new DrainException("stdin line " + number + ": expected a JSON string, got " + TokenizeCommand.abbreviate(line));
      }
      lines.add(node.asText());
    });
    return lines;
  }

  private static void printTables(PrintWriter out, List<String> texts, EmbeddingBatch batch) {
    Table vectors = new Table("#", "tokens", "text", "vector").right(0, 1);
    for (int i = 0; i < texts.size(); i++) {
      float[] v = batch.vectors().get(i);
      StringBuilder head = new StringBuilder();
      for (int d = 0; d < Math.min(4, v.length); d++) {
        head.append(String.format(Locale.ROOT, "%+.4f ", v[d]));
      }
      vectors.row(i, batch.tokenCounts()[i], TokenizeCommand.abbreviate(texts.get(i).replace('\n', ' ')),
          head + "... (" + v.length + ")");
    }
    vectors.print(out);
    if (texts.size() < 2 || texts.size() > 12) {
      return;
    }
    out.println();
    String[] header = new String[texts.size() + 1];
    header[0] = "cosine";
    for (int j = 0; j < texts.size(); j++) {
      header[j + 1] = String.valueOf(j);
    }
    Table similarities = new Table(header);
    for (int j = 0; j <= texts.size(); j++) {
      similarities.right(j);
    }
    for (int i = 0; i < texts.size(); i++) {
      Object[] row = new Object[texts.size() + 1];
      row[0] = i;
      for (int j = 0; j < texts.size(); j++) {
        row[j + 1] = String.format(Locale.ROOT, "%.4f", Pooling.cosine(batch.vectors().get(i), batch.vectors().get(j)));
      }
      similarities.row(row);
    }
    similarities.print(out);
  }
}
