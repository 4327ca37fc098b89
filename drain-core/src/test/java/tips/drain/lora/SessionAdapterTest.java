package tips.drain.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.DrainException;
import tips.drain.api.Adapter;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.testing.TestData;

/**
 * Adapters chosen per session ({@link LanguageModel#loadAdapter}, {@link SessionOptions#withAdapter}): sessions
 * with adapter A, adapter B and none, on one model, stepped in turn and run concurrently, each give the logits of
 * a model loaded with that adapter merged (or of the plain model); the model's own weights are untouched; and
 * adapters that do not fit the model are refused naming the tensor.
 */
@Tag("kernels")
class SessionAdapterTest {
  private static final int[] PROMPT = {1, 317, 263, 377, 267, 265, 282, 295, 433, 335, 311, 357, 426, 338, 394, 261};
  /** PROMPT cut into the pieces each session is fed in turn: a prefill batch, single tokens, a longer batch. */
  private static final int[][] STEPS = {{1, 317, 263, 377, 267}, {265}, {282}, {295, 433, 335, 311, 357, 426, 338}, {394},
      {261}};

  @TempDir
  Path tmp;

  /** Adapter A on tiny-llama: q_proj, v_proj and down_proj of both layers, and lm_head stored whole. */
  private Path adapterA() throws IOException {
    List<TestAdapters.Spec> specs = new ArrayList<>();
    for (int l = 0; l < 2; l++) {
      specs.add(new TestAdapters.Spec("model.layers." + l + ".self_attn.q_proj", 128, 128, 4, 2));
      specs.add(new TestAdapters.Spec("model.layers." + l + ".self_attn.v_proj", 32, 128, 4, 2));
      specs.add(new TestAdapters.Spec("model.layers." + l + ".mlp.down_proj", 128, 256, 4, 2));
    }
    Path dir = tmp.resolve("adapter-a");
    TestAdapters.write(dir, TestAdapters.config(4, 8, "\"target_modules\":[\"q_proj\",\"v_proj\",\"down_proj\"],"
        + "\"modules_to_save\":[\"lm_head\"]"), specs, TestAdapters.random(specs, 42),
        Map.of("lm_head.weight", TestAdapters.gaussian(new Random(5), 512 * 128)),
        Map.of("lm_head.weight", new long[] {512, 128}));
    return dir;
  }

  /** Adapter B on tiny-llama: k_proj, o_proj, gate_proj and up_proj of both layers, and the final norm stored whole. */
  private Path adapterB() throws IOException {
    List<TestAdapters.Spec> specs = new ArrayList<>();
    for (int l = 0; l < 2; l++) {
      specs.add(new TestAdapters.Spec("model.layers." + l + ".self_attn.k_proj", 32, 128, 2, 3));
      specs.add(new TestAdapters.Spec("model.layers." + l + ".self_attn.o_proj", 128, 128, 2, 3));
      specs.add(new TestAdapters.Spec("model.layers." + l + ".mlp.gate_proj", 256, 128, 2, 3));
      specs.add(new TestAdapters.Spec("model.layers." + l + ".mlp.up_proj", 256, 128, 2, 3));
    }
    float[] norm = new float[128];
    Arrays.fill(norm, 1.5f);
    Path dir = tmp.resolve("adapter-b");
    TestAdapters.write(dir, TestAdapters.config(2, 6, "\"target_modules\":[\"k_proj\",\"o_proj\",\"gate_proj\",\"up_proj\"]"),
        specs, TestAdapters.random(specs, 9), Map.of("model.norm.weight", norm), Map.of("model.norm.weight", new long[] {128}));
    return dir;
  }

  private static LoadOptions options() {
    return LoadOptions.defaults().withThreads(2).withTokenizer(false);
  }

  private static SessionOptions sessionOptions() {
    return SessionOptions.defaults().withContextLength(64).withBatchSize(8);
  }

  /** The logits after each of {@link #STEPS}, fed to a session of a model loaded with {@code load}. */
  private static List<float[]> reference(Path model, LoadOptions load) {
    try (LanguageModel m = LanguageModel.load(model, load);
         Session s = m.newSession(sessionOptions())) {
      List<float[]> out = new ArrayList<>();
      for (int[] step : STEPS) {
        out.add(s.feed(step));
      }
      return out;
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
  void sessionsWithAdapterAAdapterBAndNoneStepInTurnOnOneModel() throws IOException {
    Path base = TestData.model("tiny-llama");
    Path a = adapterA();
    Path b = adapterB();
    List<float[]> expectedA = reference(base, options().withAdapter(a, LoraMode.MERGED));
    List<float[]> expectedB = reference(base, options().withAdapter(b, LoraMode.MERGED));
    List<float[]> expectedNone = reference(base, options());

    try (LanguageModel model = LanguageModel.load(base, options())) {
      Adapter adapterA = model.loadAdapter(a);
      Adapter adapterB = model.loadAdapter(b);
      try (Session sa = model.newSession(sessionOptions().withAdapter(adapterA));
           Session sb = model.newSession(sessionOptions().withAdapter(adapterB));
           Session none = model.newSession(sessionOptions())) {
        assertSame(adapterA, sa.adapter().orElseThrow());
        assertTrue(none.adapter().isEmpty());
        for (int i = 0; i < STEPS.length; i++) {
          float[] la = sa.feed(STEPS[i]);
          float[] lb = sb.feed(STEPS[i]);
          float[] l0 = none.feed(STEPS[i]);
          assertTrue(maxDiff(la, expectedA.get(i)) < 1e-4, "step " + i + ", adapter A: " + maxDiff(la, expectedA.get(i)));
          assertTrue(maxDiff(lb, expectedB.get(i)) < 1e-4, "step " + i + ", adapter B: " + maxDiff(lb, expectedB.get(i)));
          assertTrue(maxDiff(l0, expectedNone.get(i)) < 1e-5, "step " + i + ", no adapter: " + maxDiff(l0, expectedNone.get(i)));
          assertTrue(maxDiff(la, l0) > 0.1 && maxDiff(lb, l0) > 0.1 && maxDiff(la, lb) > 0.1, "each adapter changes the logits");
        }
      }
      assertTrue(adapterA.describe().contains("on 6 layers") && adapterA.describe().contains("lm_head.weight"),
          adapterA.describe());
    }
  }

  @Test
  void sessionsWithDifferentAdaptersRunConcurrently() throws Exception {
    Path base = TestData.model("tiny-llama");
    Path a = adapterA();
    Path b = adapterB();
    try (LanguageModel model = LanguageModel.load(base, options())) {
      List<SessionOptions> choices = List.of(sessionOptions().withAdapter(model.loadAdapter(a)),
          sessionOptions().withAdapter(model.loadAdapter(b)), sessionOptions());
      List<float[]> sequential = new ArrayList<>();
      for (SessionOptions o : choices) {
        try (Session s = model.newSession(o)) {
          sequential.add(s.feedAll(PROMPT));
        }
      }
      ExecutorService pool = Executors.newFixedThreadPool(choices.size());
      try {
        List<Future<float[]>> concurrent = new ArrayList<>();
        for (SessionOptions o : choices) {
          concurrent.add(pool.submit(() -> {
            try (Session s = model.newSession(o)) {
              float[] last = null;
              for (int round = 0; round < 3; round++) {
                s.reset();
                last = s.feedAll(PROMPT);
              }
              return last;
            }
          }));
        }
        for (int i = 0; i < choices.size(); i++) {
          float[] got = concurrent.get(i).get();
          assertTrue(maxDiff(got, sequential.get(i)) < 1e-5, "session " + i + ": " + maxDiff(got, sequential.get(i)));
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void fusedProjectionsAndExpertsTakeSessionAdapters() throws IOException {
    // Phi-3: the adapted fused qkv_proj / gate_up_proj are split into row views over the shared base
    List<TestAdapters.Spec> phi = List.of(
        new TestAdapters.Spec("model.layers.0.self_attn.qkv_proj", 256, 128, 4, 2),
        new TestAdapters.Spec("model.layers.1.mlp.gate_up_proj", 512, 128, 4, 2));
    Path phiAdapter = tmp.resolve("phi3");
    TestAdapters.write(phiAdapter, TestAdapters.config(4, 8, "\"target_modules\":[\"qkv_proj\",\"gate_up_proj\"]"), phi,
        TestAdapters.random(phi, 7), Map.of(), Map.of());
    assertSessionMatchesMerged(TestData.model("tiny-phi3"), phiAdapter);

    // Mixtral: an expert's projections and the router
    List<TestAdapters.Spec> moe = List.of(
        new TestAdapters.Spec("model.layers.0.block_sparse_moe.experts.1.w1", 128, 64, 4, 2),
        new TestAdapters.Spec("model.layers.1.block_sparse_moe.experts.3.w2", 64, 128, 4, 2),
        new TestAdapters.Spec("model.layers.1.block_sparse_moe.gate", 4, 64, 4, 2));
    Path moeAdapter = tmp.resolve("mixtral");
    TestAdapters.write(moeAdapter, TestAdapters.config(4, 8, "\"target_modules\":[\"w1\",\"w2\",\"gate\"]"), moe,
        TestAdapters.random(moe, 11), Map.of(), Map.of());
    assertSessionMatchesMerged(TestData.model("tiny-mixtral"), moeAdapter);
  }

  private static void assertSessionMatchesMerged(Path base, Path adapter) {
    List<float[]> expected = reference(base, options().withAdapter(adapter, LoraMode.MERGED));
    try (LanguageModel model = LanguageModel.load(base, options());
         Session s = model.newSession(sessionOptions().withAdapter(model.loadAdapter(adapter)));
         Session none = model.newSession(sessionOptions())) {
      for (int i = 0; i < STEPS.length; i++) {
        float[] got = s.feed(STEPS[i]);
        assertTrue(maxDiff(got, expected.get(i)) < 1e-4, base.getFileName() + " step " + i + ": " + maxDiff(got, expected.get(i)));
        assertTrue(maxDiff(got, none.feed(STEPS[i])) > 1e-2, base.getFileName() + " step " + i + ": the adapter changes the logits");
      }
    }
  }

  @Test
  void adaptersThatDoNotFitTheModelAreRefusedNamingTheTensor() throws IOException {
    try (LanguageModel llama = LanguageModel.load(TestData.model("tiny-llama"), options());
         LanguageModel phi3 = LanguageModel.load(TestData.model("tiny-phi3"), options())) {
      // trained on another architecture: Phi-3's fused projection
      List<TestAdapters.Spec> fused = List.of(new TestAdapters.Spec("model.layers.0.self_attn.qkv_proj", 256, 128, 4, 2));
      Path phiAdapter = tmp.resolve("phi3-qkv");
      TestAdapters.write(phiAdapter, TestAdapters.config(4, 8, "\"target_modules\":[\"qkv_proj\"]"), fused,
          TestAdapters.random(fused, 1), Map.of(), Map.of());
      String other = assertThrows(LoraException.class, () -> llama.loadAdapter(phiAdapter)).getMessage();
      assertTrue(other.contains("does not have: model.layers.0.self_attn.qkv_proj.weight"), other);

      // another shape
      List<TestAdapters.Spec> narrow = List.of(new TestAdapters.Spec("model.layers.1.self_attn.q_proj", 128, 64, 4, 2));
      Path narrowAdapter = tmp.resolve("narrow");
      TestAdapters.write(narrowAdapter, TestAdapters.config(4, 8, "\"target_modules\":[\"q_proj\"]"), narrow,
          TestAdapters.random(narrow, 1), Map.of(), Map.of());
      String shape = assertThrows(LoraException.class, () -> llama.loadAdapter(narrowAdapter)).getMessage();
      assertTrue(shape.contains("changes model.layers.1.self_attn.q_proj.weight as [128, 64] but the base model's is "
          + "[128, 128]"), shape);

      // a fused projection replaced whole cannot be put over its shared row views
      Path wholeQkv = tmp.resolve("whole-qkv");
      TestAdapters.write(wholeQkv, TestAdapters.config(4, 8, ""), List.of(), Map.of(),
          Map.of("model.layers.0.self_attn.qkv_proj.weight", new float[256 * 128]),
          Map.of("model.layers.0.self_attn.qkv_proj.weight", new long[] {256, 128}));
      String split = assertThrows(LoraException.class, () -> phi3.loadAdapter(wholeQkv)).getMessage();
      assertTrue(split.contains("replaces [model.layers.0.self_attn.qkv_proj.weight] whole, which phi3 splits"), split);

      // an adapter is bound to the model it was loaded onto
      Adapter phiOnly = phi3.loadAdapter(phiAdapter);
      String foreign = assertThrows(DrainException.class,
          () -> llama.newSession(sessionOptions().withAdapter(phiOnly))).getMessage();
      assertTrue(foreign.contains("loaded onto the model in " + TestData.model("tiny-phi3")), foreign);

      // the refusals left the model as it was
      try (Session s = llama.newSession(sessionOptions())) {
        assertTrue(maxDiff(s.feedAll(PROMPT), referenceAll(TestData.model("tiny-llama"))) < 1e-5);
      }
    }
  }

  private static float[] referenceAll(Path model) {
    try (LanguageModel m = LanguageModel.load(model, options());
         Session s = m.newSession(sessionOptions())) {
      return s.feedAll(PROMPT);
    }
  }
}
