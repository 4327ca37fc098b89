package tips.drain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.testing.TestData;

/**
 * The command line's contract: bad usage exits 2 with one line and where help is; a failure exits 1 with one
 * line; limits are checked before work starts; outputs are written whole or not at all.
 */
class CliContractTest {
  @TempDir Path dir;

  private static String stories() {
    return TestData.model("stories260K").toString();
  }

  private static CliTest.Result run(String... args) {
    return CliTest.run(args);
  }

  private static void assertUsageError(CliTest.Result r, String... mentions) {
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), "one line, no usage dump: " + r.err());
    assertTrue(r.err().startsWith("drain: "), r.err());
    assertTrue(r.err().strip().endsWith("--help')"), "points at --help: " + r.err());
    for (String m : mentions) {
      assertTrue(r.err().contains(m), m + " in " + r.err());
    }
  }

  @Test
  void everyBadUsageIsOneLineWithAHelpHintAndExitTwo() {
    String m = stories();
    assertUsageError(run("generate", "--model", m, "--prompt", "x", "-n", "-1"), "-n/--max-tokens", "-1");
    assertUsageError(run("generate", "--model", m, "--prompt", "x", "--context", "-5"), "--context", "-5");
    assertUsageError(run("generate", "--model", m, "--prompt", "x", "--stop", ""), "--stop");
    assertUsageError(run("generate", "--model", m, "--prompt", "x", "--quant", "q3_k"), "'q3_k'", "q8_0", "q4_0");
    assertUsageError(run("generate", "--model", m, "--prompt", "x", "--threads", "0"), "--threads");
    assertUsageError(run("generate", "--prompt", "x"), "--model", "'drain generate --help'");
    assertUsageError(run("generate", "--model", m, "--prompt", "x", "--no-such-option"), "--no-such-option");
    assertUsageError(run("generate", "--model", m, "--prompt", "x", "-n", "many"), "many");
    assertUsageError(run("frobnicate"), "frobnicate", "'drain --help'");
    assertUsageError(run("quantize", "--model", m, "--quant", "q3_k", "--out", dir.resolve("q").toString()), "q3_k");
    assertUsageError(run("perplexity", "--model", m, "--text", "x.txt", "--context", "1"), "--context");
    assertUsageError(run("generate", "--model", m, "--prompt", "x", "--top-p", "2"), "top-p");
  }

  @Test
  void threadsAboveTheCoresAreCappedWithAWarning() {
    CliTest.Result r = run("generate", "--model", stories(), "--prompt", "Once", "-n", "2", "--threads", "10000");
    assertEquals(0, r.code(), r.err());
    int cores = Runtime.getRuntime().availableProcessors();
    assertTrue(r.err().contains("--threads 10000 is more than the " + cores + " cores; using " + cores), r.err());
    assertTrue(r.err().contains(cores + " threads") || r.err().contains(cores + " thread"), r.err());
  }

  @Test
  void aContextAboveTheModelsIsRefusedUnlessAskedFor() {
    CliTest.Result r = run("generate", "--model", stories(), "--prompt", "Once", "-n", "2", "--context", "1000000");
    assertUsageError(r, "1000000", "512 positions", "--allow-long-context");
    CliTest.Result ok = run("generate", "--model", stories(), "--prompt", "Once", "-n", "2", "--context", "600",
        "--allow-long-context");
    assertEquals(0, ok.code(), ok.err());
  }

  @Test
  void memoryIsCheckedBeforeTheCacheIsAllocated() {
    CliTest.Result r = run("generate", "--model", stories(), "--prompt", "Once", "-n", "2", "--context", "2000000000",
        "--allow-long-context");
    assertEquals(1, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("needs") && r.err().contains("Java heap has") && r.err().contains("-Xmx"), r.err());
  }

  @Test
  void aGenerationThatFillsTheContextSaysSo() throws Exception {
    CliTest.Result r = run("generate", "--model", stories(), "--prompt", "Once upon a time", "-n", "50", "--context", "12");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("stopped at the end of the context (12 positions)"), r.err());
    CliTest.Result full = run("generate", "--model", stories(), "--prompt", "Once upon a time", "-n", "3");
    assertFalse(full.err().contains("end of the context"), full.err());
  }

  @Test
  void versionIsTheProjectVersion() {
    CliTest.Result r = run("--version");
    assertEquals(0, r.code());
    assertTrue(r.out().matches("(?s)drain \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? on Java .*"), r.out());
  }

  // ---------------------------------------------------------------- outputs

  private static List<String> names(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void quantizeRefusesANonEmptyOutputAndForceReplacesItWhole() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("model-00001-of-00002.safetensors"), "stale shard");
    Files.writeString(out.resolve("model.safetensors.index.json"), "{}");
    CliTest.Result r = run("quantize", "--model", stories(), "--quant", "q8_0", "--out", out.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("exists and is not empty (--force replaces it)"), r.err());
    assertEquals(List.of("model-00001-of-00002.safetensors", "model.safetensors.index.json"), names(out));

    CliTest.Result forced = run("quantize", "--model", stories(), "--quant", "q8_0", "--out", out.toString(), "--force");
    assertEquals(0, forced.code(), forced.err());
    assertFalse(names(out).contains("model.safetensors.index.json"), "no stale file survives: " + names(out));
    assertTrue(names(out).contains("model.safetensors"), names(out).toString());
    assertEquals(List.of("out"), names(dir), "nothing left beside it");
    assertEquals(0, run("inspect", "--model", out.toString()).code());
  }

  @Test
  void quantizingAQuantizedModelIsRefused() {
    Path q4 = dir.resolve("q4");
    assertEquals(0, run("quantize", "--model", stories(), "--quant", "q4_0", "--out", q4.toString()).code());
    CliTest.Result r = run("quantize", "--model", q4.toString(), "--quant", "q8_0", "--out", dir.resolve("q8").toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("already quantized") && r.err().contains("Q4_0"), r.err());
    assertFalse(Files.exists(dir.resolve("q8")));
  }

  @Test
  void theOutputMayNotReplaceTheInput() throws Exception {
    Path copy = Files.createDirectories(dir.resolve("model"));
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
      Files.copy(TestData.model("stories260K").resolve(f), copy.resolve(f));
    }
    assertUsageError(run("quantize", "--model", copy.toString(), "--quant", "q8_0", "--out", copy.toString(), "--force"),
        "would replace the input");
    assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json"), names(copy));
  }

  @Test
  void aFailedMergeLeavesNothing() throws Exception {
    Path adapter = Files.createDirectories(dir.resolve("adapter"));
    Files.writeString(adapter.resolve("adapter_config.json"),
        "{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"]}");
    Files.write(adapter.resolve("adapter_model.safetensors"), new byte[] {1, 2, 3});
    Path out = dir.resolve("merged");
    CliTest.Result r = run("merge", "--model", stories(), "--adapter", adapter.toString(), "--out", out.toString());
    assertEquals(1, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals(List.of("adapter"), names(dir), "no output and no partial folder");
  }

  @Test
  void jsonMessagesNeverLeakTheParsersInternals() throws Exception {
    Path model = Files.createDirectories(dir.resolve("m"));
    Files.copy(TestData.model("stories260K").resolve("model.safetensors"), model.resolve("model.safetensors"));
    Files.copy(TestData.model("stories260K").resolve("tokenizer.json"), model.resolve("tokenizer.json"));
    for (String config : List.of("{\"model_type\": \"llama\", \"hidden_size\": \"sixty-four\"}",
        "{\"model_type\": \"llama\", \"hidden_size\": 64.5}", "{\"model_type\": [1]}", "{\"model_type\": \"llama\",",
        "{\"model_type\": \"llama\", \"num_hidden_layers\": 99999999999}")) {
      Files.writeString(model.resolve("config.json"), config);
      CliTest.Result r = run("inspect", "--model", model.toString());
      assertEquals(1, r.code(), r.err());
      assertEquals(1, r.err().lines().count(), r.err());
      for (String leak : List.of("CoercionConfig", "[Source", "REDACTED", "line: ", "com.fasterxml", "through reference chain")) {
        assertFalse(r.err().contains(leak), leak + " in " + r.err());
      }
      assertTrue(r.err().contains("config.json"), r.err());
    }
  }
}
