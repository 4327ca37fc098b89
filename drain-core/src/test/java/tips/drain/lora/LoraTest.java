package tips.drain.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tips.drain.api.LanguageModel;
import tips.drain.io.ModelFiles;
import tips.drain.io.Weights;
import tips.drain.kernel.KernelProvider;
import tips.drain.model.Architecture;
import tips.drain.model.Architectures;
import tips.drain.model.ConfigReader;
import tips.drain.model.HfConfig;
import tips.drain.model.ModelConfig;
import tips.drain.model.TransformerWeights;
import tips.drain.api.LoadOptions;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.testing.TestData;

/**
 * A random PEFT adapter (written here) on tiny-llama and tiny-phi3: merged at load, applied at run time, and
 * merged to a directory by {@link LoraMerge#write} all give the logits of a base model whose weights this test
 * merged by hand; and adapters that do not fit their base are refused naming the tensor.
 */
@Tag("kernels")
class LoraTest {
  private static final int[] PROMPT = {1, 317, 263, 377, 267, 265, 282, 295, 433, 335, 311, 357, 426, 338, 394, 261};

  @TempDir
  Path tmp;

  /** tiny-llama: q_proj (128x128), v_proj (32x128), down_proj (128x256) of both layers. */
  private static List<TestAdapters.Spec> llamaSpecs() {
    List<TestAdapters.Spec> specs = new ArrayList<>();
    for (int l = 0; l < 2; l++) {
      String p = "model.layers." + l + ".";
      specs.add(new TestAdapters.Spec(p + "self_attn.q_proj", 128, 128, 4, 8.0 / 4));
      specs.add(new TestAdapters.Spec(p + "self_attn.v_proj", 32, 128, 4, 3.0 / 4)); // alpha_pattern v_proj: 3
      specs.add(new TestAdapters.Spec(p + "mlp.down_proj", 128, 256, 2, 8.0 / 2)); // rank_pattern down_proj: 2
    }
    return specs;
  }

  private static float[] logits(Path model, LoadOptions options) {
    try (LanguageModel m = LanguageModel.load(model, options.withThreads(2).withTokenizer(false));
         Session s = m.newSession(SessionOptions.defaults().withContextLength(64).withBatchSize(8))) {
      return s.feedAll(PROMPT);
    }
  }

  private static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  @Test
  void mergedRuntimeAndHandMergedGiveTheSameLogits() throws IOException {
    Path base = TestData.model("tiny-llama");
    List<TestAdapters.Spec> specs = llamaSpecs();
    Map<String, float[][]> ab = TestAdapters.random(specs, 42);
    // modules_to_save: lm_head stored whole in the adapter
    float[] head = TestAdapters.gaussian(new Random(5), 512 * 128);
    Map<String, float[]> whole = Map.of("lm_head.weight", head);
    Path adapter = tmp.resolve("adapter");
    TestAdapters.write(adapter, TestAdapters.config(4, 8, "\"target_modules\":[\"q_proj\",\"v_proj\",\"down_proj\"],"
        + "\"rank_pattern\":{\"down_proj\":2},\"alpha_pattern\":{\"v_proj\":3},\"modules_to_save\":[\"lm_head\"]"),
        specs, ab, whole, Map.of("lm_head.weight", new long[] {512, 128}));
    Path handMerged = tmp.resolve("hand-merged");
    TestAdapters.mergeByHand(base, handMerged, specs, ab, whole);

    float[] expected = logits(handMerged, LoadOptions.defaults());
    float[] merged = logits(base, LoadOptions.defaults().withAdapter(adapter, LoraMode.MERGED));
    float[] runtime = logits(base, LoadOptions.defaults().withAdapter(adapter, LoraMode.RUNTIME));
    assertTrue(maxDiff(merged, expected) < 1e-5, "merged at load vs by hand: " + maxDiff(merged, expected));
    assertTrue(maxDiff(runtime, expected) < 1e-4, "run time vs merged by hand: " + maxDiff(runtime, expected));
    assertTrue(maxDiff(logits(base, LoadOptions.defaults()), expected) > 0.1, "the adapter changes the logits");

    Path written = tmp.resolve("written");
    LoraMerge.write(base, adapter, written);
    assertTrue(maxDiff(logits(written, LoadOptions.defaults()), expected) < 1e-5, "drain merge output vs by hand");
    assertTrue(Files.exists(written.resolve("tokenizer.json")) && !Files.exists(written.resolve("model.gguf")));
  }

  @Test
  void fusedProjectionsKeepTheirAdapterInRowViews() throws IOException {
    Path base = TestData.model("tiny-phi3");
    // qkv_proj: 128 + 2 x 64 rows; gate_up_proj: 2 x 256 rows
    List<TestAdapters.Spec> specs = List.of(
        new TestAdapters.Spec("model.layers.0.self_attn.qkv_proj", 256, 128, 4, 2),
        new TestAdapters.Spec("model.layers.1.mlp.gate_up_proj", 512, 128, 4, 2));
    Map<String, float[][]> ab = TestAdapters.random(specs, 7);
    Path adapter = tmp.resolve("phi3-adapter");
    TestAdapters.write(adapter, TestAdapters.config(4, 8, "\"target_modules\":[\"qkv_proj\",\"gate_up_proj\"]"), specs, ab,
        Map.of(), Map.of());
    Path handMerged = tmp.resolve("phi3-hand-merged");
    TestAdapters.mergeByHand(base, handMerged, specs, ab, Map.of());
    float[] expected = logits(handMerged, LoadOptions.defaults());
    assertTrue(maxDiff(logits(base, LoadOptions.defaults().withAdapter(adapter, LoraMode.MERGED)), expected) < 1e-5);
    assertTrue(maxDiff(logits(base, LoadOptions.defaults().withAdapter(adapter, LoraMode.RUNTIME)), expected) < 1e-4);
  }

  /**
   * The new families' PEFT targets: Falcon's and BLOOM's fused {@code query_key_value} (grouped per KV head, kept
   * whole so the adapter applies to the fused rows), their MLP, and Qwen3-MoE's and GPT-OSS's attention and experts.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "tiny-falcon40b|transformer.h.0.self_attention.query_key_value:128:64,transformer.h.2.mlp.dense_h_to_4h:256:64",
      "tiny-falcon|transformer.h.1.self_attention.query_key_value:96:64,transformer.h.1.self_attention.dense:64:64",
      "tiny-bloom|transformer.h.0.self_attention.query_key_value:288:96,transformer.h.1.mlp.dense_4h_to_h:96:384",
      "tiny-qwen3_moe|model.layers.0.self_attn.q_proj:128:64,model.layers.1.mlp.experts.3.down_proj:64:64",
      "tiny-gpt_oss|model.layers.0.self_attn.q_proj:128:64,model.layers.3.self_attn.v_proj:64:64"})
  void newFamiliesTakeAdaptersOnTheirTargetModules(String fixture, String modules) throws IOException {
    Path base = TestData.model(fixture);
    List<TestAdapters.Spec> specs = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    for (String m : modules.split(",")) {
      String[] parts = m.split(":");
      specs.add(new TestAdapters.Spec(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), 4, 2));
      targets.add("\"" + parts[0].substring(parts[0].lastIndexOf('.') + 1) + "\"");
    }
    Map<String, float[][]> ab = TestAdapters.random(specs, 11);
    Path adapter = tmp.resolve(fixture + "-adapter");
    TestAdapters.write(adapter, TestAdapters.config(4, 8, "\"target_modules\":" + targets), specs, ab, Map.of(), Map.of());
    Path handMerged = tmp.resolve(fixture + "-hand-merged");
    TestAdapters.mergeByHand(base, handMerged, specs, ab, Map.of());
    float[] expected = logits(handMerged, LoadOptions.defaults());
    float[] merged = logits(base, LoadOptions.defaults().withAdapter(adapter, LoraMode.MERGED));
    float[] runtime = logits(base, LoadOptions.defaults().withAdapter(adapter, LoraMode.RUNTIME));
    // GPT-OSS's large expert activations amplify F32 rounding about tenfold (its fixture: llama.cpp vs float64 3.6e-5)
    assertTrue(maxDiff(merged, expected) < 5e-5, fixture + " merged at load vs by hand: " + maxDiff(merged, expected));
    assertTrue(maxDiff(runtime, expected) < 1e-4, fixture + " run time vs by hand: " + maxDiff(runtime, expected));
    assertTrue(maxDiff(logits(base, LoadOptions.defaults()), expected) > 0.01, fixture + ": the adapter changes the logits");
  }

  @Test
  void mappingStoredWeightsKeepsARuntimeAdapterOnTop() throws IOException {
    Path base = TestData.model("tiny-llama");
    List<TestAdapters.Spec> specs = List.of(new TestAdapters.Spec("model.layers.0.self_attn.q_proj", 128, 128, 4, 2));
    Path adapter = tmp.resolve("q-adapter");
    TestAdapters.write(adapter, TestAdapters.config(4, 8, ""), specs, TestAdapters.random(specs, 3), Map.of(), Map.of());
    try (ModelFiles files = ModelFiles.open(base)) {
      HfConfig raw = ConfigReader.readConfig(base);
      Architecture arch = Architectures.of(raw, base.resolve("config.json"));
      ModelConfig config = arch.resolve(raw, base.resolve("config.json"));
      TransformerWeights w = Adapters.load(arch, config, new Weights(files, KernelProvider.kernels()), adapter,
          LoraMode.RUNTIME);
      assertTrue(w.layers().get(0).attention().wq() instanceof LoraMatrix);
      // e.g. quantize-on-load: the base is mapped, the adapter stays on top
      TransformerWeights mapped = w.mapMatrices(m -> m.rowRange(0, m.rows()), m -> m);
      LoraMatrix q = (LoraMatrix) mapped.layers().get(0).attention().wq();
      assertTrue(!(q.base() instanceof LoraMatrix) && q.base() != ((LoraMatrix) w.layers().get(0).attention().wq()).base());
      assertEquals("F32+LoRA", q.format());
    }
  }

  private String refused(List<TestAdapters.Spec> specs, String config) throws IOException {
    Path adapter = Files.createTempDirectory(tmp, "bad");
    TestAdapters.write(adapter, config, specs, TestAdapters.random(specs, 1), Map.of(), Map.of());
    LoraException e = assertThrows(LoraException.class,
        () -> logits(TestData.model("tiny-llama"), LoadOptions.defaults().withAdapter(adapter, LoraMode.RUNTIME)));
    return e.getMessage();
  }

  @Test
  void adaptersThatDoNotFitTheBaseAreRefused() throws IOException {
    String unknown = refused(List.of(new TestAdapters.Spec("model.layers.0.self_attn.qkv_proj", 256, 128, 4, 2)),
        TestAdapters.config(4, 8, "\"target_modules\":[\"qkv_proj\"]"));
    assertTrue(unknown.contains("does not have: model.layers.0.self_attn.qkv_proj.weight"), unknown);
    String layer = refused(List.of(new TestAdapters.Spec("model.layers.7.self_attn.q_proj", 128, 128, 4, 2)),
        TestAdapters.config(4, 8, "\"target_modules\":[\"q_proj\"]"));
    assertTrue(layer.contains("model.layers.7.self_attn.q_proj.weight"), layer);
    String shape = refused(List.of(new TestAdapters.Spec("model.layers.0.self_attn.q_proj", 128, 64, 4, 2)),
        TestAdapters.config(4, 8, "\"target_modules\":[\"q_proj\"]"));
    assertTrue(shape.contains("changes model.layers.0.self_attn.q_proj.weight as [128, 64] but the base model's is [128, 128]"),
        shape);
    String rank = refused(List.of(new TestAdapters.Spec("model.layers.0.self_attn.q_proj", 128, 128, 4, 2)),
        TestAdapters.config(8, 8, "\"target_modules\":[\"q_proj\"]"));
    assertTrue(rank.contains("adapter_config.json gives rank 8"), rank);
    List<TestAdapters.Spec> q = List.of(new TestAdapters.Spec("model.layers.0.self_attn.q_proj", 128, 128, 4, 2));
    assertTrue(refused(q, TestAdapters.config(4, 8, "\"use_dora\":true").replace("\"use_dora\":false,", ""))
        .contains("use_dora is true"));
    assertTrue(refused(q, TestAdapters.config(4, 8, "").replace("LORA", "IA3")).contains("peft_type 'IA3' is not supported"));
    assertTrue(refused(q, TestAdapters.config(4, 8, "\"target_modules\":[\"q_proj\",\"k_proj\"]"))
        .contains("target_modules lists 'k_proj'"));
  }

  @Test
  void ranksAndScalesFollowPeftPatterns() throws IOException {
    Path dir = tmp.resolve("cfg");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("adapter_config.json"), TestAdapters.config(16, 8,
        "\"rank_pattern\":{\"q_proj\":2,\"layers.1.self_attn.q_proj\":3},\"alpha_pattern\":{\"mlp.down_proj\":6}"));
    LoraConfig c = LoraConfig.read(dir);
    assertEquals(2, c.rank("model.layers.0.self_attn.q_proj"));
    assertEquals(3, c.rank("model.layers.1.self_attn.q_proj"), "the longest matching key wins");
    assertEquals(16, c.rank("model.layers.1.self_attn.v_proj"));
    assertEquals(16, c.rank("model.layers.1.self_attn.xq_proj"), "keys match whole dotted names only");
    assertEquals(8.0 / 3, c.scale("model.layers.1.self_attn.q_proj"), 1e-12);
    assertEquals(6.0 / 16, c.scale("model.layers.0.mlp.down_proj"), 1e-12);
    Files.writeString(dir.resolve("adapter_config.json"), TestAdapters.config(16, 8, "").replace(
        "\"use_rslora\":false", "\"use_rslora\":true"));
    assertEquals(8.0 / 4, LoraConfig.read(dir).scale("model.layers.0.self_attn.q_proj"), 1e-12, "rsLoRA: alpha / sqrt(r)");
    assertEquals(Set.of(), Set.copyOf(LoraConfig.read(dir).targetModules()));
  }
}
