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
 * one after the other, then a table of both and their ratios:
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
    JsonNode drain = runJvm(drainArgs);
    List<String> jlamaArgs = new ArrayList<>(List.of(JlamaBench.class.getName(), "--model", a.jlamaModel()));
    jlamaArgs.addAll(common);
    JsonNode jlama = runJvm(jlamaArgs);

    System.out.printf(Locale.ROOT, "model %s (Jlama: %s), %d threads, pp%d / tg%d, %d reps, streaming read %.1f GB/s%n%n",
        Path.of(a.model()).getFileName(), Path.of(a.jlamaModel()).getFileName(), a.threads(), a.promptTokens(), a.genTokens(), a.reps(),
        drain.get("stream_gb_s").asDouble());
    System.out.printf(Locale.ROOT, "| engine | prefill tok/s | decode tok/s | decode GB/s (%% of stream) |%n|---|---:|---:|---:|%n");
    row("DRAIN (" + drain.get("kernels").asText() + ")", drain, drain);
    row("Jlama 0.8.4 (Panama)", jlama, drain);
    System.out.printf(Locale.ROOT, "| **DRAIN / Jlama** | **%.2f×** | **%.2f×** | |%n",
        drain.get("prefill_tok_s").asDouble() / jlama.get("prefill_tok_s").asDouble(),
        drain.get("decode_tok_s").asDouble() / jlama.get("decode_tok_s").asDouble());
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
