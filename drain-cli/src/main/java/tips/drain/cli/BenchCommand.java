package tips.drain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.api.LanguageModel;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.util.Parallel;
import tips.drain.util.Statistics;

/**
 * {@code drain bench}: llama-bench style prefill and decode speed, mean ± standard deviation over repetitions,
 * with the machine's streaming read bandwidth measured in the same run so decode can be judged against it.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure prefill and decode speed (tok/s) and decode's weight bandwidth against the machine's.")
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Option(names = "--prompt-tokens", defaultValue = "128", description = "Prompt length for prefill (default: ${DEFAULT-VALUE}).")
  int promptTokens;

  @Option(names = "--gen-tokens", defaultValue = "64", description = "Decode steps (default: ${DEFAULT-VALUE}).")
  int genTokens;

  @Option(names = {"-r", "--reps"}, defaultValue = "3", description = "Measured repetitions after one unmeasured warm-up repetition (default: ${DEFAULT-VALUE}).")
  int reps;

  @Option(names = "--batch", defaultValue = "64", description = "Prefill batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (promptTokens < 1 || genTokens < 1 || reps < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--prompt-tokens, --gen-tokens and --reps must be >= 1");
    }
    try (LanguageModel m = LanguageModel.load(model.directory(), model.loadOptions().withTokenizer(false))) {
      int vocab = m.config().vocabSize();
      int[] prompt = new SplittableRandom(42).ints(promptTokens, 3, vocab).toArray();
      SessionOptions so = SessionOptions.defaults().withContextLength(promptTokens + genTokens + 1).withBatchSize(batch);
      double[] prefill = new double[reps];
      double[] decode = new double[reps];
      try (Session session = m.newSession(so)) {
        if (!json) {
          err.println("warming up...");
        }
        run(session, prompt, genTokens, vocab); // warm-up, a whole repetition: JIT (C2 compiles late) and page cache
        for (int r = 0; r < reps; r++) {
          double[] speeds = run(session, prompt, genTokens, vocab);
          prefill[r] = speeds[0];
          decode[r] = speeds[1];
          if (!json) {
            err.printf(Locale.ROOT, "rep %d: prefill %.2f tok/s, decode %.2f tok/s%n", r + 1, speeds[0], speeds[1]);
          }
        }
      }
      double stream;
      try (StreamBandwidth bw = new StreamBandwidth(1L << 30); Parallel p = new Parallel(m.threads())) {
        stream = bw.measure(p, 5);
      }
      long weightBytes = m.decodeBytes();
      double decodeMean = Statistics.mean(decode);
      double decodeGbs = weightBytes * decodeMean / 1e9;
      String quant = model.quant == null ? storedFormat(m) : model.quant.toUpperCase(Locale.ROOT);
      if (json) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("model", m.directory().getFileName().toString());
        o.put("quant", quant);
        o.put("threads", m.threads());
        o.put("kernels", m.kernelsName());
        o.put("prompt_tokens", promptTokens);
        o.put("gen_tokens", genTokens);
        o.put("reps", reps);
        o.put("prefill_tok_s", Statistics.mean(prefill));
        o.put("prefill_tok_s_stddev", Statistics.stddev(prefill));
        o.put("decode_tok_s", decodeMean);
        o.put("decode_tok_s_stddev", Statistics.stddev(decode));
        o.put("weight_bytes", weightBytes);
        o.put("decode_gb_s", decodeGbs);
        o.put("stream_gb_s", stream);
        out.println(o);
      } else {
        String name = m.directory().getFileName().toString();
        new Table("model", "weights", "threads", "test", "tok/s", "GB/s", "% of stream")
            .right(2, 4, 5, 6)
            .row(name, quant, m.threads(), "pp" + promptTokens, pm(prefill), "", "")
            .row(name, quant, m.threads(), "tg" + genTokens, pm(decode), fmt(decodeGbs),
                String.format(Locale.ROOT, "%.0f %%", 100 * decodeGbs / stream))
            .print(out);
        out.printf(Locale.ROOT, "%nweights read per token %s; streaming read bandwidth %.1f GB/s on %d threads; kernels %s%n",
            Table.bytes(weightBytes), stream, m.threads(), m.kernelsName());
      }
    }
    return 0;
  }

  /** One prefill of {@code prompt} and {@code steps} greedy decode steps; returns {prefill tok/s, decode tok/s}. */
  private static double[] run(Session session, int[] prompt, int steps, int vocab) {
    session.reset();
    long t0 = System.nanoTime();
    float[] logits = session.feed(prompt);
    long t1 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      logits = session.feed(new int[] {argmax(logits, vocab)});
    }
    long t2 = System.nanoTime();
    return new double[] {prompt.length * 1e9 / (t1 - t0), steps * 1e9 / (t2 - t1)};
  }

  private static int argmax(float[] x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }

  private static String storedFormat(LanguageModel m) {
    return m.storedFormat();
  }

  private static String pm(double[] x) {
    return String.format(Locale.ROOT, "%.2f ± %.2f", Statistics.mean(x), Statistics.stddev(x));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
