package tips.drain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.ModelLocator;
import tips.drain.api.SessionOptions;
import tips.drain.engine.EngineOptions;
import tips.drain.util.Parallel;
import tips.drain.util.Statistics;

/**
 * {@code drain bench}: llama-bench style prefill and decode speed, mean ± standard deviation over repetitions,
 * with the machine's streaming read bandwidth measured in the same run so decode can be judged against it.
 *
 * <p>Models, weight formats, thread counts and batch sizes take several values; every combination is loaded, and the
 * repetitions of all of them are interleaved (round after round, each round starting with the next
 * configuration), so a machine whose speed drifts over minutes affects all alike and the ratios to the first
 * configuration, printed beside each, stay fair.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure prefill and decode speed (tok/s) and decode's weight bandwidth against the machine's.",
        "Several models, --quant formats, --threads counts or --batch sizes (comma-separated) are measured in interleaved rounds "
            + "and compared with the first."})
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-m", "--model"}, required = true, split = ",", paramLabel = "MODEL",
      description = "Model directory, or a name found in models/ or DRAIN_MODEL_PATH; several to compare.")
  List<String> models;

  @Option(names = {"-t", "--threads"}, split = ",", paramLabel = "N",
      description = "Compute threads (default: all cores); several counts to compare.")
  List<Integer> threads;

  @Option(names = "--quant", split = ",", paramLabel = "FORMAT",
      description = "Weights as stored (none) or quantized on load (q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k, q6_k); several to compare, e.g. none,q8_0,q4_k.")
  List<String> quants;

  @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT LoRA adapter directory to apply.")
  Path adapter;

  @Option(names = "--adapter-mode", defaultValue = "merged", paramLabel = "MODE",
      description = "merged (into the weights at load, fastest) or runtime (base weights untouched).")
  String adapterMode;

  @Option(names = "--prompt-tokens", defaultValue = "128", description = "Prompt length for prefill (default: ${DEFAULT-VALUE}).")
  int promptTokens;

  @Option(names = "--gen-tokens", defaultValue = "64", description = "Decode steps (default: ${DEFAULT-VALUE}).")
  int genTokens;

  @Option(names = {"-r", "--reps"}, defaultValue = "3",
      description = "Measured repetitions of each configuration after one unmeasured warm-up repetition (default: ${DEFAULT-VALUE}).")
  int reps;

  @Option(names = "--batch", defaultValue = "" + SessionOptions.DEFAULT_BATCH, split = ",", paramLabel = "N",
      description = "Tokens per engine step, the prompt chunk (default: ${DEFAULT-VALUE}); several sizes to compare.")
  List<Integer> batches;

  @Option(names = "--json", description = "Print one JSON object per configuration, one per line, instead of a table.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (promptTokens < 1 || genTokens < 1 || reps < 1 || batches.stream().anyMatch(b -> b < 1)) {
      throw new ParameterException(spec.commandLine(), "--prompt-tokens, --gen-tokens, --reps and --batch must be >= 1");
    }
    List<LanguageModel> loaded = new ArrayList<>();
    List<BenchVariant> variants = new ArrayList<>();
    try {
      load(loaded, variants, err);
      Map<Integer, double[]> stream = measure(variants, err);
      if (json) {
        printJson(variants, stream, out);
      } else {
        printTable(variants, stream, out);
      }
    } finally {
      for (BenchVariant v : variants) {
        v.close();
      }
      for (LanguageModel m : loaded) {
        m.close();
      }
    }
    return 0;
  }

  /**
   * Loads every combination of model, weight format and thread count, in that order (into {@code loaded}), and
   * makes a configuration of each with every batch size.
   */
  private void load(List<LanguageModel> loaded, List<BenchVariant> variants, PrintWriter err) {
    List<String> formats = quants == null ? Collections.singletonList(null) : quants;
    List<Integer> counts = threads == null ? Collections.singletonList(null) : threads;
    for (String name : models) {
      Path directory = ModelLocator.resolve(name);
      for (String format : formats) {
        String quant = format == null || format.equalsIgnoreCase("none") ? null : format;
        for (Integer count : counts) {
          for (int batch : batches) {
            LoadOptions options = ModelOptions.loadOptions(spec, count, quant, adapter, adapterMode).withTokenizer(false)
                .withEngine(EngineOptions.defaults().withStepTokens(batch));
            if (!json) {
              err.printf(Locale.ROOT, "loading %s%s%s...%n", directory.getFileName(), quant == null ? "" : " as " + quant,
                  count == null ? "" : " on " + count + (count == 1 ? " thread" : " threads"));
            }
            LanguageModel m = LanguageModel.load(directory, options);
            loaded.add(m);
            String weights = quant == null ? m.storedFormat() : quant.toUpperCase(Locale.ROOT);
            variants.add(new BenchVariant(m, weights, promptTokens, genTokens, batch, reps));
          }
        }
      }
    }
  }

  /** Streaming reads per round and thread count. */
  private static final int STREAM_READS = 3;

  /**
   * Warms every configuration up, then runs {@code reps} rounds of one repetition each, and {@link #STREAM_READS}
   * stream reads per round for each thread count; returns all the stream readings per thread count.
   */
  private Map<Integer, double[]> measure(List<BenchVariant> variants, PrintWriter err) {
    if (!json) {
      err.println("warming up...");
    }
    for (BenchVariant v : variants) {
      v.warmUp();
    }
    Map<Integer, double[]> stream = new LinkedHashMap<>();
    Map<Integer, Parallel> pools = new LinkedHashMap<>();
    try (StreamBandwidth bw = new StreamBandwidth(1L << 30)) {
      for (BenchVariant v : variants) {
        pools.computeIfAbsent(v.threads(), Parallel::new);
      }
      int n = variants.size();
      for (int r = 0; r < reps; r++) {
        for (int i = 0; i < n; i++) {
          BenchVariant v = variants.get((r + i) % n);
          double[] speeds = v.measure();
          if (!json) {
            err.printf(Locale.ROOT, "rep %d%s: prefill %.2f tok/s, decode %.2f tok/s%n", r + 1,
                n == 1 ? "" : " " + v.label(), speeds[0], speeds[1]);
          }
        }
        for (Map.Entry<Integer, Parallel> pool : pools.entrySet()) {
          double[] reads = bw.reads(pool.getValue(), STREAM_READS);
          stream.merge(pool.getKey(), reads, BenchCommand::concat);
        }
      }
    } finally {
      for (Parallel p : pools.values()) {
        p.close();
      }
    }
    return stream;
  }

  private static double[] concat(double[] a, double[] b) {
    double[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** The fastest of the stream reads. */
  private static double best(double[] reads) {
    return Arrays.stream(reads).max().orElseThrow();
  }

  private void printJson(List<BenchVariant> variants, Map<Integer, double[]> stream, PrintWriter out) {
    ObjectMapper mapper = new ObjectMapper();
    BenchVariant first = variants.get(0);
    for (BenchVariant v : variants) {
      LanguageModel m = v.model();
      double decodeMean = Statistics.mean(v.decode());
      ObjectNode o = mapper.createObjectNode();
      o.put("model", v.name());
      o.put("quant", v.weights());
      o.put("threads", v.threads());
      o.put("batch", v.batch());
      o.put("kernels", m.kernelsName());
      o.put("prompt_tokens", promptTokens);
      o.put("gen_tokens", genTokens);
      o.put("reps", reps);
      o.put("prefill_tok_s", Statistics.mean(v.prefill()));
      o.put("prefill_tok_s_stddev", Statistics.stddev(v.prefill()));
      o.put("decode_tok_s", decodeMean);
      o.put("decode_tok_s_stddev", Statistics.stddev(v.decode()));
      o.put("weight_bytes", m.decodeBytes());
      o.put("decode_gb_s", m.decodeBytes() * decodeMean / 1e9);
      o.put("stream_gb_s", Statistics.median(stream.get(v.threads())));
      o.put("stream_gb_s_best", best(stream.get(v.threads())));
      if (variants.size() > 1) {
        o.put("baseline", first.label());
        o.put("prefill_ratio", Statistics.mean(v.prefill()) / Statistics.mean(first.prefill()));
        o.put("decode_ratio", decodeMean / Statistics.mean(first.decode()));
      }
      out.println(o);
    }
  }

  private void printTable(List<BenchVariant> variants, Map<Integer, double[]> stream, PrintWriter out) {
    boolean compare = variants.size() > 1;
    List<String> header = new ArrayList<>(List.of("model", "weights", "threads", "batch", "test", "tok/s", "GB/s", "% of stream"));
    if (compare) {
      header.add("vs first");
    }
    Table table = new Table(header.toArray(String[]::new)).right(2, 3, 5, 6, 7);
    if (compare) {
      table.right(8);
    }
    BenchVariant first = variants.get(0);
    for (BenchVariant v : variants) {
      double decodeGbs = v.model().decodeBytes() * Statistics.mean(v.decode()) / 1e9;
      String share = String.format(Locale.ROOT, "%.0f %%", 100 * decodeGbs / Statistics.median(stream.get(v.threads())));
      table.row(v.name(), v.weights(), v.threads(), v.batch(), "pp" + promptTokens, pm(v.prefill()), "", "",
          compare ? ratio(v.prefill(), first.prefill()) : null);
      table.row(v.name(), v.weights(), v.threads(), v.batch(), "tg" + genTokens, pm(v.decode()), fmt(decodeGbs), share,
          compare ? ratio(v.decode(), first.decode()) : null);
    }
    table.print(out);
    out.println();
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (BenchVariant v : variants) {
      bytes.putIfAbsent(v.name() + " " + v.weights(), v.model().decodeBytes());
    }
    for (Map.Entry<String, Long> e : bytes.entrySet()) {
      out.printf(Locale.ROOT, "weights read per token: %s%s%n", Table.bytes(e.getValue()), compare ? " (" + e.getKey() + ")" : "");
    }
    StringBuilder bandwidth = new StringBuilder();
    int reads = 0;
    for (Map.Entry<Integer, double[]> e : stream.entrySet()) {
      double[] r = e.getValue();
      reads = r.length;
      bandwidth.append(bandwidth.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.1f GB/s on %d thread%s (best %.1f)",
          Statistics.median(r), e.getKey(), e.getKey() == 1 ? "" : "s", best(r)));
    }
    out.printf(Locale.ROOT, "streaming read bandwidth, median of %d reads: %s; kernels %s%n", reads, bandwidth,
        first.model().kernelsName());
  }

  private static String ratio(double[] x, double[] base) {
    return String.format(Locale.ROOT, "%.2fx", Statistics.mean(x) / Statistics.mean(base));
  }

  private static String pm(double[] x) {
    return String.format(Locale.ROOT, "%.2f ± %.2f", Statistics.mean(x), Statistics.stddev(x));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
