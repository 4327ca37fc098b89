package tips.drain.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * DRAIN and Jlama on the same model directory in one run, each in its own JVM (same flags, same threads),
 * one after the other, then a table of both and their ratios. With {@code --rounds N} the pair runs N times,
 * alternating, and the table shows each round's ratios (the machine's speed drifts between rounds, the two
 * JVMs of one round meet nearly the same machine) and the mean of all repetitions:
 * <pre>
 *   java -cp drain-bench/target/drain-bench.jar tips.drain.bench.e2e.SideBySide \
 *       --model models/tinyllama-synthetic-bf16 --threads 2
 * </pre>
 * Quantized: {@code --model models/tinyllama-synthetic-q4_0 --jlama-model models/tinyllama-synthetic-jlama-q4}
 * (Jlama's own Q4, written by {@link JlamaQuantize}). The GB/s column uses DRAIN's bytes per token for both.
 */
public final class SideBySide {
  private SideBySide() {}

  public static void main(String[] args) throws Exception {
    BenchArgs a = BenchArgs.parse(args);
    List<String> common = List.of("--prompt-tokens", "" + a.promptTokens(), "--gen-tokens", "" + a.genTokens(),
        "--reps", "" + a.reps(), "--threads", "" + a.threads());
    List<String> drainArgs = new ArrayList<>(List.of("tips.drain.cli.Main", "bench", "--json", "--model", a.model()));
    drainArgs.addAll(common);
    List<JsonNode> drains = new ArrayList<>();
    List<JsonNode> jlamas = new ArrayList<>();
    List<String> jlamaArgs = new ArrayList<>(List.of(JlamaBench.class.getName(), "--model", a.jlamaModel()));
    jlamaArgs.addAll(common);
    for (int round = 0; round < a.rounds(); round++) {
      drains.add(runJvm(drainArgs));
      jlamas.add(runJvm(jlamaArgs));
    }
    JsonNode drain = merge(drains);
    JsonNode jlama = merge(jlamas);

    System.out.printf(Locale.ROOT, "model %s (Jlama: %s), %d threads, pp%d / tg%d, %d reps x %d rounds, streaming read %.1f GB/s%n%n",
        Path.of(a.model()).getFileName(), Path.of(a.jlamaModel()).getFileName(), a.threads(), a.promptTokens(), a.genTokens(), a.reps(),
        a.rounds(), drain.get("stream_gb_s").asDouble());
    System.out.printf(Locale.ROOT, "| engine | prefill tok/s | decode tok/s | decode GB/s (%% of stream) |%n|---|---:|---:|---:|%n");
    row("DRAIN (" + drain.get("kernels").asText() + ")", drain, drain);
    row("Jlama 0.8.4 (Panama)", jlama, drain);
    System.out.printf(Locale.ROOT, "| **DRAIN / Jlama** | **%.2f×** | **%.2f×** | |%n",
        drain.get("prefill_tok_s").asDouble() / jlama.get("prefill_tok_s").asDouble(),
        drain.get("decode_tok_s").asDouble() / jlama.get("decode_tok_s").asDouble());
    if (a.rounds() > 1) {
      System.out.printf(Locale.ROOT, "%n| round | DRAIN prefill | Jlama prefill | ratio | DRAIN decode | Jlama decode | ratio |%n"
          + "|---:|---:|---:|---:|---:|---:|---:|%n");
      for (int round = 0; round < a.rounds(); round++) {
        JsonNode d = drains.get(round);
        JsonNode j = jlamas.get(round);
        System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f | %.2f× | %.2f | %.2f | %.2f× |%n", round + 1,
            d.get("prefill_tok_s").asDouble(), j.get("prefill_tok_s").asDouble(),
            d.get("prefill_tok_s").asDouble() / j.get("prefill_tok_s").asDouble(),
            d.get("decode_tok_s").asDouble(), j.get("decode_tok_s").asDouble(),
            d.get("decode_tok_s").asDouble() / j.get("decode_tok_s").asDouble());
      }
    }
  }

  /**
   * One result for several rounds: speeds as the mean over all repetitions, their standard deviation over all
   * repetitions (from each round's mean and deviation), the best streaming read; other fields from the first.
   */
  static JsonNode merge(List<JsonNode> rounds) {
    if (rounds.size() == 1) {
      return rounds.get(0);
    }
    if (!rounds.get(0).has("reps")) {
      throw new IllegalArgumentException("a round's result has no \"reps\" field: " + rounds.get(0));
    }
    int reps = rounds.get(0).get("reps").asInt();
    com.fasterxml.jackson.databind.node.ObjectNode o = rounds.get(0).deepCopy();
    for (String speed : List.of("prefill_tok_s", "decode_tok_s")) {
      double sum = 0;
      double squares = 0;
      int n = 0;
      for (JsonNode r : rounds) {
        double mean = r.get(speed).asDouble();
        double sd = r.get(speed + "_stddev").asDouble();
        sum += reps * mean;
        squares += (reps - 1) * sd * sd + reps * mean * mean;
        n += reps;
      }
      double mean = sum / n;
      o.put(speed, mean);
      o.put(speed + "_stddev", n > 1 ? Math.sqrt(Math.max(0, (squares - n * mean * mean) / (n - 1))) : 0);
    }
    if (o.has("stream_gb_s")) {
      double best = 0;
      for (JsonNode r : rounds) {
        best = Math.max(best, r.get("stream_gb_s").asDouble());
      }
      o.put("stream_gb_s", best);
    }
    return o;
  }

  private static void row(String name, JsonNode r, JsonNode drain) {
    double gbs = drain.get("weight_bytes").asDouble() * r.get("decode_tok_s").asDouble() / 1e9;
    System.out.printf(Locale.ROOT, "| %s | %.2f ± %.2f | %.2f ± %.2f | %.1f (%.0f %%) |%n", name,
        r.get("prefill_tok_s").asDouble(), r.get("prefill_tok_s_stddev").asDouble(),
        r.get("decode_tok_s").asDouble(), r.get("decode_tok_s_stddev").asDouble(), gbs,
        100 * gbs / drain.get("stream_gb_s").asDouble());
  }

  /** Runs a main class of this classpath in a fresh JVM with the Vector API and returns its last stdout line as JSON. */
  private static JsonNode runJvm(List<String> mainAndArgs) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g",
        "-cp", System.getProperty("java.class.path")));
    cmd.addAll(mainAndArgs);
    System.err.println("running " + mainAndArgs.get(0));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    int code = p.waitFor();
    if (code != 0) {
      throw new IllegalStateException(mainAndArgs.get(0) + " exited with " + code);
    }
    String last = out.substring(out.lastIndexOf('\n') + 1);
    return new ObjectMapper().readTree(last);
  }
}
