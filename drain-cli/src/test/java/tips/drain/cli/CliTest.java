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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.testing.TestData;

/** The drain command as a user meets it: output, JSON, exit codes and error messages (on both kernel paths). */
@org.junit.jupiter.api.Tag("kernels")
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

  /** The new families' special features, from their config and their weights, and their GPT-2 style layer names. */
  @Test
  void inspectShowsTheNewFamiliesFeatures() {
    String[][] expected = {
        {"tiny-bloom", "bloom (BloomForCausalLM)", "alibi", "ALiBi positions (no rotary)", "embedding norm",
            "fused query_key_value (grouped per KV head)", "LayerNorm", "transformer.h.{0..1}.self_attention.query_key_value.weight"},
        {"tiny-falcon", "falcon (FalconForCausalLM)", "rope, theta 10000.0", "parallel attention and MLP",
            "one norm for attention and MLP", "non-gated MLP", "transformer.h.{0..2}.mlp.dense_h_to_4h.weight"},
        {"tiny-falcon40b", "parallel attention and MLP", "fused query_key_value", "[128, 64]"},
        {"tiny-gpt_oss", "gpt_oss (GptOssForCausalLM)", "attention sinks", "sliding window 8 on 2 of 4 layers",
            "mixture of experts: top-4 of 8", "rope scaling yarn", "router bias"},
        {"tiny-qwen3_moe", "qwen3_moe (Qwen3MoeForCausalLM)", "mixture of experts: top-2 of 8"}};
    for (String[] e : expected) {
      Result r = run("inspect", "--model", TestData.model(e[0]).toString());
      assertEquals(0, r.code(), r.err());
      for (int i = 1; i < e.length; i++) {
        assertTrue(r.out().contains(e[i]), e[0] + " shows '" + e[i] + "': " + r.out());
      }
    }
  }

  @Test
  void ggufModelsGenerateAndInspect() {
    String gguf = TestData.model("stories260K").resolve("original/stories260K.gguf").toString();
    Result r = run("generate", "--model", gguf, "--prompt", "Once upon a time", "-n", "12", "--threads", "1");
    assertEquals(0, r.code(), r.err());
    assertEquals(", there was a little girl named Lily. She\n", r.out());
    Result inspect = run("inspect", "--model", TestData.model("tiny-mixtral").resolve("model.gguf").toString());
    assertEquals(0, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains("mixtral (MixtralForCausalLM)"), inspect.out());
    assertTrue(inspect.out().contains("llama.expert_count") && inspect.out().contains("UINT32"), inspect.out());
    assertTrue(inspect.out().contains("512 × STRING: [\"<unk>\", \"<s>\""), inspect.out());
    assertTrue(inspect.out().contains("blk.{0..1}.ffn_gate_exps.weight  [4, 128, 64]  F32"), inspect.out());
  }

  @Test
  void inspectShowsTheMetadataOfAGgufDrainDoesNotRun() {
    Result r = run("inspect", "--model", TestData.path("tokenizers/gguf/ggml-vocab-bert-bge.gguf").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("no: ") && r.out().contains("GGUF architecture 'bert' is not supported"), r.out());
    assertTrue(r.out().contains("bert.attention.causal") && r.out().contains("30522 × STRING"), r.out());
  }

  @Test
  void malformedGgufIsOneLine() throws Exception {
    Path bad = dir.resolve("bad.gguf");
    Files.write(bad, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
    Result r = run("generate", "--model", bad.toString(), "--prompt", "x");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("drain: " + bad + ": unexpected end of file reading the tensor count"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
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
    assertEquals(2, run("generate", "--model", stories(), "--prompt", "x", "--threads", "0").code());
    assertEquals(2, run("generate", "--model", stories(), "--prompt", "x", "--adapter", "/x", "--adapter-mode", "sideways").code());
  }

  @Test
  void invalidSamplingValueIsExplained() {
    Result r = run("generate", "--model", stories(), "--prompt", "x", "--top-p", "2");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("top-p"), r.err());
    assertFalse(r.err().contains("\tat "));
  }

  @Test
  void benchJsonReportsSpeedsAndBandwidth() throws Exception {
    Result r = run("bench", "--model", stories(), "--prompt-tokens", "16", "--gen-tokens", "8", "--reps", "2", "--json",
        "--threads", "1");
    assertEquals(0, r.code(), r.err());
    JsonNode o = new ObjectMapper().readTree(r.out());
    for (String f : new String[] {"model", "quant", "threads", "prompt_tokens", "gen_tokens", "prefill_tok_s",
        "prefill_tok_s_stddev", "decode_tok_s", "decode_tok_s_stddev", "weight_bytes", "decode_gb_s", "stream_gb_s"}) {
      assertTrue(o.has(f), f + " in " + r.out());
    }
    assertEquals("F32", o.get("quant").asText());
    assertEquals(16, o.get("prompt_tokens").asInt());
    assertTrue(o.get("decode_tok_s").asDouble() > 0 && o.get("stream_gb_s").asDouble() > 0, r.out());
    assertEquals(o.get("weight_bytes").asDouble() * o.get("decode_tok_s").asDouble() / 1e9, o.get("decode_gb_s").asDouble(), 1e-6);
  }

  @Test
  void benchComparesConfigurationsInInterleavedRounds() throws Exception {
    Result r = run("bench", "--model", stories(), "--quant", "none,q8_0", "--threads", "1,2", "--batch", "4,8",
        "--prompt-tokens", "8", "--gen-tokens", "4", "--reps", "2", "--json");
    assertEquals(0, r.code(), r.err());
    List<JsonNode> lines = new java.util.ArrayList<>();
    for (String line : r.out().strip().split("\n")) {
      lines.add(new ObjectMapper().readTree(line));
    }
    assertEquals(8, lines.size(), r.out());
    String[] expected = {"F32 1 4", "F32 1 8", "F32 2 4", "F32 2 8", "Q8_0 1 4", "Q8_0 1 8", "Q8_0 2 4", "Q8_0 2 8"};
    for (int i = 0; i < expected.length; i++) {
      JsonNode o = lines.get(i);
      assertEquals(expected[i], o.get("quant").asText() + " " + o.get("threads").asInt() + " " + o.get("batch").asInt());
      assertEquals("stories260K F32 t1 b4", o.get("baseline").asText());
      assertEquals(o.get("decode_tok_s").asDouble() / lines.get(0).get("decode_tok_s").asDouble(),
          o.get("decode_ratio").asDouble(), 1e-9);
      assertTrue(o.get("stream_gb_s").asDouble() > 0, r.out());
      assertTrue(o.get("stream_gb_s_best").asDouble() >= o.get("stream_gb_s").asDouble(), r.out());
    }
    assertEquals(1.0, lines.get(0).get("prefill_ratio").asDouble(), 1e-12);
    assertTrue(lines.get(4).get("weight_bytes").asLong() < lines.get(0).get("weight_bytes").asLong(), r.out());
  }

  @Test
  void benchTableShowsEachConfigurationAgainstTheFirst() {
    Result r = run("bench", "--model", stories(), "--quant", "none,q4_0", "--threads", "1", "--prompt-tokens", "8",
        "--gen-tokens", "4", "--reps", "1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("vs first"), r.out());
    assertEquals(4, r.out().lines().filter(l -> l.startsWith("stories260K")).count(), r.out());
    assertTrue(r.out().contains("(stories260K Q4_0)") && r.out().contains("on 1 thread (best "), r.out());
    assertTrue(r.err().contains("rep 1 stories260K Q4_0 t1 b256"), r.err());
  }

  @Test
  void benchRejectsAnUnknownFormatBeforeMeasuring() {
    Result r = run("bench", "--model", stories(), "--quant", "none,q3_k", "--reps", "1");
    assertTrue(r.code() != 0, r.out());
    assertTrue(r.err().contains("q3_k"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void chatFormatsTurnsWithTheTemplateAndQuitsOnExit() throws Exception {
    Path template = dir.resolve("chat.jinja");
    Files.writeString(template, "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}{{ m['content'] }}"
        + "{% else %}{{ m['content'] + eos_token }}{% endif %}{% endfor %}");
    java.io.InputStream stdin = System.in;
    try {
      System.setIn(new java.io.ByteArrayInputStream("Once upon a time\n/reset\nOnce upon\\\n a time\n/exit\n"
          .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      Result r = run("chat", "--model", stories(), "--template", template.toString(), "-n", "8");
      assertEquals(0, r.code(), r.err());
      // greedy, so the first answer is the golden continuation; after /reset the same prompt (typed on two lines:
      // "Once upon\n a time") gives another text, but the conversation restarted cleanly
      assertTrue(r.out().contains("> , there was a little girl\n"), r.out());
      assertTrue(r.err().contains("(conversation cleared)"), r.err());
      assertEquals(2, r.err().lines().filter(l -> l.contains("tok/s")).count(), r.err());
    } finally {
      System.setIn(stdin);
    }
  }

  @Test
  void chatWithoutTemplateSaysWhatToDo() {
    Result r = run("chat", "--model", stories());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("no chat template") && r.err().contains("--template"), r.err());
  }

  @Test
  void quantizedDirectoryLoadsAndKeepsAccuracy() throws Exception {
    Path out = dir.resolve("q8");
    Result q = run("quantize", "--model", stories(), "--quant", "q8_0", "--out", out.toString());
    assertEquals(0, q.code(), q.err());
    assertTrue(q.err().contains("matrices quantized"), q.err());
    Result inspect = run("inspect", "--model", out.toString());
    assertTrue(inspect.out().contains("Q8_0") && inspect.out().contains("[172, 64]"), inspect.out());
    Result ppl = run("perplexity", "--model", out.toString(), "--text",
        TestData.path("eval/stories.txt").toString(), "--context", "128", "--reference", stories(), "--json");
    assertEquals(0, ppl.code(), ppl.err());
    JsonNode o = new ObjectMapper().readTree(ppl.out());
    assertEquals("Q8_0", o.get("quant").asText());
    assertTrue(o.get("perplexity_ratio").asDouble() < 1.003, ppl.out());
    assertTrue(o.get("kl_divergence_mean").asDouble() < 0.0008, ppl.out());
    assertTrue(o.get("top1_agreement").asDouble() > 0.97, ppl.out());
  }

  @Test
  void llamaCppMixFallsBackWhereWidthsAreNoWholeSuperBlocks() throws Exception {
    // stories260K's widths (64, 172) hold no 256-weight super-block: as in llama.cpp, Q4_K becomes Q5_0 and
    // the Q6_K head Q8_0; the 172-wide w2 fits neither and stays as stored
    Path out = dir.resolve("q4km");
    Result q = run("quantize", "--model", stories(), "--quant", "q4_k_m", "--out", out.toString());
    assertEquals(0, q.code(), q.err());
    Result inspect = run("inspect", "--model", out.toString());
    assertTrue(inspect.out().contains("Q5_0") && inspect.out().contains("Q8_0"), inspect.out());
    Result ppl = run("perplexity", "--model", out.toString(), "--text",
        TestData.path("eval/stories.txt").toString(), "--context", "128", "--reference", stories(), "--json");
    assertEquals(0, ppl.code(), ppl.err());
    JsonNode o = new ObjectMapper().readTree(ppl.out());
    assertTrue(o.get("perplexity_ratio").asDouble() < 1.08, ppl.out()); // the Q4_0 bound: Q5_0 keeps more
  }

  @Test
  void unknownQuantFormatIsUsageError() {
    Result r = run("quantize", "--model", stories(), "--quant", "q3_k", "--out", dir.resolve("x").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("q8_0, q4_0, q4_1, q5_0, q5_1, q4_k_m, q5_k_m, q6_k"), r.err());
  }
}
