package tips.drain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.testing.TestData;

/** The drain command as a user meets it: output, JSON, exit codes and error messages. */
class CliTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  private static String stories() {
    return TestData.model("stories260K").toString();
  }

  @Test
  void generateStreamsTheGoldenContinuation() {
    Result r = run("generate", "--model", stories(), "--prompt", "Once upon a time", "-n", "12", "--threads", "1");
    assertEquals(0, r.code(), r.err());
    assertEquals(", there was a little girl named Lily. She\n", r.out());
    assertTrue(r.err().contains("5 prompt tokens, 12 generated"), r.err());
    assertTrue(r.err().contains("decode") && r.err().contains("tok/s"), r.err());
  }

  @Test
  void generateJsonHasIdsTextFinishReasonAndStats() throws Exception {
    Result r = run("generate", "--model", stories(), "--prompt", "Once upon a time", "-n", "5", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode o = new ObjectMapper().readTree(r.out());
    assertEquals("[1,403,407,261,378]", o.get("prompt_ids").toString());
    assertEquals("[432,383,286,261,376]", o.get("generated_ids").toString());
    assertEquals(", there was a little", o.get("text").asText());
    assertEquals("length", o.get("finish_reason").asText());
    for (String f : new String[] {"prompt_tokens", "generated_tokens", "prefill_tok_s", "decode_tok_s", "load_s"}) {
      assertTrue(o.get("stats").has(f), f);
    }
  }

  @Test
  void stopStringEndsGenerationWithFinishReasonStop() throws Exception {
    Result r = run("generate", "--model", stories(), "--prompt", "Once upon a time", "-n", "50", "--stop", "Lily", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode o = new ObjectMapper().readTree(r.out());
    assertEquals(", there was a little girl named ", o.get("text").asText());
    assertEquals("stop", o.get("finish_reason").asText());
  }

  @Test
  void seededSamplingIsReproducible() {
    String[] args = {"generate", "--model", stories(), "--prompt", "The cat", "-n", "20", "--temperature", "0.9",
        "--top-p", "0.9", "--seed", "7", "--json"};
    Result a = run(args);
    Result b = run(args);
    assertEquals(0, a.code(), a.err());
    String ids = a.out().substring(a.out().indexOf("generated_ids"), a.out().indexOf("\"text\""));
    assertTrue(b.out().contains(ids));
  }

  @Test
  void inspectShowsArchitectureAndTensors() {
    Result r = run("inspect", "--model", stories());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("llama (LlamaForCausalLM)"), r.out());
    assertTrue(r.out().contains("model.layers.{0..4}.self_attn.q_proj.weight"), r.out());
    assertTrue(r.out().contains("[64, 64]"), r.out());
  }

  @Test
  void unknownModelIsOneLineExitOne() {
    Result r = run("generate", "--model", "no-such-model-anywhere", "--prompt", "x");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("drain: model 'no-such-model-anywhere' not found"), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
  }

  @Test
  void verbosePrintsTheStackTrace() {
    Result r = run("generate", "--model", "no-such-model-anywhere", "--prompt", "x", "--verbose");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("\tat "), r.err());
  }

  @Test
  void malformedModelIsExplained() throws Exception {
    Files.copy(TestData.model("stories260K").resolve("config.json"), dir.resolve("config.json"));
    Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});
    Result r = run("inspect", "--model", dir.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("model.safetensors") && r.err().contains("too short"), r.err());
  }

  @Test
  void badUsageIsExitTwo() {
    assertEquals(2, run("generate", "--prompt", "x").code(), "missing --model");
    assertEquals(2, run("generate", "--model", stories(), "--prompt", "x", "-n", "many").code());
    assertEquals(2, run("frobnicate").code());
  }

  @Test
  void invalidSamplingValueIsExplained() {
    Result r = run("generate", "--model", stories(), "--prompt", "x", "--top-p", "2");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("top-p"), r.err());
    assertFalse(r.err().contains("\tat "));
  }
}
