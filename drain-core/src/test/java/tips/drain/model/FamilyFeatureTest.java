package tips.drain.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tips.drain.io.ModelFiles;
import tips.drain.io.Weights;
import tips.drain.kernel.KernelProvider;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.Matrix;
import tips.drain.testing.TestData;
import tips.drain.util.Parallel;

/**
 * Each special feature of the new families, dropped or done wrong on purpose, moves the logits of its fixture
 * beyond the conformance tolerance, and by as much as the fixture's {@code checks.feature_effect_*} says the
 * float64 transformers transcription moves without it (within 2 %, the checks being rounded to three digits, on
 * the long prompt's rows): so the conformance test fails when a feature is dropped, and DRAIN without the feature
 * computes what the transcription does without it. Features the fixtures measure no effect for (Falcon's parallel residual) must still move
 * the logits beyond the tolerance.
 */
@Tag("kernels")
class FamilyFeatureTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOLERANCE = 1e-4;

  @Test
  void qwen3MoeRenormalizedTopKAndQkNorm() throws IOException {
    Fixture f = new Fixture("tiny-qwen3_moe", "logits_llamacpp");
    f.assertMoves("no_norm_topk", with(f.config, "expertWeighting", ExpertRouting.Weighting.PROBABILITIES), f.weights);
    f.assertMoves("no_qk_norm", f.config, f.mapAttention(a -> with(with(a, "qNorm", null), "kNorm", null)));
  }

  @Test
  void falconExactGeluAndParallelResidual() throws IOException {
    Fixture f = new Fixture("tiny-falcon", "logits_hf_numpy");
    f.assertMoves("gelu_tanh", with(f.config, "activation", Activation.GELU_TANH), f.weights);
    // sequential instead of parallel: the MLP reads x after the attention's residual add
    f.assertMovesBeyondTolerance("sequential residual", with(f.config, "residual", Residual.SEQUENTIAL), f.weights);
  }

  @Test
  void falcon40bTwoNormsGroupedQkvAndExactGelu() throws IOException {
    Fixture f = new Fixture("tiny-falcon40b", "logits_hf_numpy");
    f.assertMoves("gelu_tanh", with(f.config, "activation", Activation.GELU_TANH), f.weights);
    f.assertMoves("ln_single", f.config, f.mapLayers(l -> with(l, "feedForwardNorm", l.attentionNorm())));
    f.assertMoves("qkv_layout", f.config, f.mapAttention(a -> splitAsQkv(a, f.config)));
  }

  @Test
  void bloomAlibiEmbeddingNormAndInterleavedQkv() throws IOException {
    Fixture f = new Fixture("tiny-bloom", "logits_hf_numpy");
    f.assertMoves("no_alibi", with(f.config, "positions", PositionEncoding.NONE), f.weights);
    f.assertMoves("no_embed_ln", f.config, with(f.weights, "embeddingNorm", null));
    f.assertMoves("qkv_layout", f.config, f.mapAttention(a -> splitAsQkv(a, f.config)));
  }

  @Test
  void gptOssSinksSlidingLayersAndYarn() throws IOException {
    Fixture f = new Fixture("tiny-gpt_oss", "logits_llamacpp");
    f.assertMoves("no_sinks", f.config, f.mapAttention(a -> with(a, "sinks", null)));
    List<LayerConfig> full = f.config.layers().stream().map(l -> with(l, "slidingWindow", 0)).toList();
    f.assertMoves("no_swa", with(with(f.config, "layers", full), "slidingWindow", 0), f.weights);
    RopeConfig plain = with(f.config.rope(), "scaling", RopeScaling.NONE);
    List<LayerConfig> plainRope = f.config.layers().stream().map(l -> with(l, "rope", plain)).toList();
    f.assertMoves("no_yarn", with(with(f.config, "layers", plainRope), "rope", plain), f.weights);
  }

  /** A grouped fused query_key_value read as if it were [all q | all k | all v]: the layout done wrong. */
  private static AttentionWeights splitAsQkv(AttentionWeights a, ModelConfig c) {
    int q = c.queryDim();
    int kv = c.kvDim();
    Matrix fused = a.wq();
    float[] b = a.bq();
    return new AttentionWeights(fused.rowRange(0, q), fused.rowRange(q, q + kv), fused.rowRange(q + kv, q + 2 * kv), a.wo(),
        b == null ? null : java.util.Arrays.copyOfRange(b, 0, q),
        b == null ? null : java.util.Arrays.copyOfRange(b, q, q + kv),
        b == null ? null : java.util.Arrays.copyOfRange(b, q + kv, q + 2 * kv), a.bo());
  }

  /** One fixture, loaded as the library loads it, with its long prompt and reference logits. */
  private static final class Fixture {
    final String name;
    final ModelConfig config;
    final TransformerWeights weights;
    final Kernels kernels = KernelProvider.kernels();
    final JsonNode prompt;
    final String logitsKey;

    Fixture(String name, String logitsKey) throws IOException {
      this.name = name;
      this.logitsKey = logitsKey;
      Path dir = TestData.model(name);
      HfConfig raw = ConfigReader.readConfig(dir);
      Architecture arch = Architectures.of(raw, dir.resolve("config.json"));
      this.config = arch.resolve(raw, dir.resolve("config.json"));
      // the mapped files stay open for the test's JVM (a few MB)
      this.weights = arch.loadWeights(new Weights(ModelFiles.open(dir), kernels), config);
      this.prompt = JSON.readTree(dir.resolve("reference.json").toFile()).get("prompts").get(1);
    }

    TransformerWeights mapLayers(UnaryOperator<LayerWeights> f) {
      return with(weights, "layers", weights.layers().stream().map(f).toList());
    }

    TransformerWeights mapAttention(UnaryOperator<AttentionWeights> f) {
      return mapLayers(l -> with(l, "attention", f.apply(l.attention())));
    }

    /** The max |Δlogit| against the reference over the prompt's rows, fed one token per call. */
    double diff(ModelConfig c, TransformerWeights w) {
      Transformer t = new Transformer(c, w, kernels);
      int vocab = c.vocabSize();
      JsonNode ids = prompt.get("input_ids");
      KvCache cache = KvCache.forModel(c, 64, 1);
      ForwardState state = new ForwardState(c, 1, 64);
      float[] logits = new float[vocab];
      double max = 0;
      try (Parallel parallel = new Parallel(1)) {
        for (int p = 0; p < ids.size(); p++) {
          t.forward(new int[] {ids.get(p).asInt()}, 0, 1, p, cache, state, parallel, logits, false);
          JsonNode row = prompt.get(logitsKey).get(p);
          for (int v = 0; v < vocab; v++) {
            max = Math.max(max, Math.abs(logits[v] - row.get(v).asDouble()));
          }
        }
      }
      return max;
    }

    /** Without the feature, the logits move by about the fixture's measured effect of dropping it. */
    void assertMoves(String feature, ModelConfig c, TransformerWeights w) {
      double intact = diff(config, weights);
      assertTrue(intact <= TOLERANCE, name + " with every feature: max |Δ| " + intact);
      double dropped = diff(c, w);
      double expected = prompt.get("checks").get("feature_effect_" + feature).get("max_abs_logit_diff_prompt_rows").asDouble();
      System.out.printf("%s %s: max |Δlogit| %.3g (fixture's effect %.3g; with the feature %.2g)%n", name, feature, dropped,
          expected, intact);
      assertTrue(dropped > TOLERANCE, name + " " + feature + " moves the logits beyond " + TOLERANCE + ": " + dropped);
      assertTrue(Math.abs(dropped - expected) <= 0.02 * expected + 1e-5,
          name + " " + feature + ": moved " + dropped + ", the fixture's float64 reference moved " + expected);
    }

    void assertMovesBeyondTolerance(String feature, ModelConfig c, TransformerWeights w) {
      double dropped = diff(c, w);
      System.out.printf("%s %s: max |Δlogit| %.3g%n", name, feature, dropped);
      assertTrue(dropped > 100 * TOLERANCE, name + " " + feature + " moves the logits: " + dropped);
    }
  }

  /** A copy of {@code record} with its component {@code name} set to {@code value}. */
  @SuppressWarnings("unchecked")
  static <R extends Record> R with(R record, String name, Object value) {
    try {
      RecordComponent[] components = record.getClass().getRecordComponents();
      Object[] args = new Object[components.length];
      Class<?>[] types = new Class<?>[components.length];
      boolean found = false;
      for (int i = 0; i < components.length; i++) {
        types[i] = components[i].getType();
        found |= components[i].getName().equals(name);
        args[i] = components[i].getName().equals(name) ? value : components[i].getAccessor().invoke(record);
      }
      if (!found) {
        throw new IllegalArgumentException(record.getClass().getSimpleName() + " has no component " + name);
      }
      var constructor = record.getClass().getDeclaredConstructor(types);
      constructor.setAccessible(true);
      return (R) constructor.newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
