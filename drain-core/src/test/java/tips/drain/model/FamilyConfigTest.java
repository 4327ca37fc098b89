package tips.drain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.DrainException;
import tips.drain.testing.TestData;

/** How each family resolves its config.json: transformers' defaults, per-layer settings, and refusals. */
class FamilyConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** The fixture's config.json with {@code edit} applied, resolved by its family. */
  private ModelConfig resolve(String fixture, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode config = (ObjectNode) JSON.readTree(TestData.model(fixture).resolve("config.json").toFile());
    edit.accept(config);
    Files.writeString(dir.resolve("config.json"), config.toString());
    HfConfig raw = ConfigReader.readConfig(dir);
    Path file = dir.resolve("config.json");
    return Architectures.of(raw, file).resolve(raw, file);
  }

  private <E extends DrainException> String refused(Class<E> type, String fixture, Consumer<ObjectNode> edit) {
    E e = assertThrows(type, () -> resolve(fixture, edit));
    assertTrue(e.getMessage().startsWith(dir.resolve("config.json").toString()), "names the file: " + e.getMessage());
    return e.getMessage();
  }

  private static int[] windows(ModelConfig c) {
    return c.layers().stream().mapToInt(LayerConfig::slidingWindow).toArray();
  }

  @Test
  void fixturesResolveToTheirFeatures() throws IOException {
    assertArrayEquals(new int[] {8, 8}, windows(resolve("tiny-mistral", c -> {})));
    assertArrayEquals(new int[] {0, 0}, windows(resolve("tiny-qwen2", c -> {})));
    ModelConfig gemma2 = resolve("tiny-gemma2", c -> {});
    assertArrayEquals(new int[] {8, 0, 8}, windows(gemma2));
    assertEquals(48, gemma2.headDim());
    assertEquals((float) Math.pow(48, -0.5), gemma2.attentionScale());
    assertEquals((float) Math.sqrt(128), gemma2.embeddingScale());
    assertEquals(5f, gemma2.attentionSoftcap());
    assertEquals(8f, gemma2.finalSoftcap());
    assertEquals(1f, gemma2.normWeightOffset());
    assertTrue(gemma2.tieWordEmbeddings());
    assertEquals(Activation.GELU_TANH, gemma2.activation());
    ModelConfig gemma3 = resolve("tiny-gemma3", c -> {});
    assertArrayEquals(new int[] {8, 8, 8, 8, 8, 0}, windows(gemma3));
    assertEquals(10000.0, gemma3.layer(0).rope().theta());
    assertEquals(1e6, gemma3.layer(5).rope().theta());
    assertEquals(0f, gemma3.attentionSoftcap());
    ModelConfig mixtral = resolve("tiny-mixtral", c -> {});
    assertEquals(4, mixtral.numExperts());
    assertEquals(2, mixtral.numExpertsPerToken());
    assertEquals("llama3", resolve("tiny-llama", c -> {}).rope().scaling().type());
    assertTrue(resolve("tiny-gemma2", c -> {}).features().contains("attention soft-cap 5.0"));
  }

  @Test
  void absentKeysTakeTheConfigClassDefaultsAndNullMeansNone() throws IOException {
    assertArrayEquals(new int[] {4096, 4096}, windows(resolve("tiny-mistral", c -> c.remove("sliding_window"))));
    assertArrayEquals(new int[] {0, 0}, windows(resolve("tiny-mistral", c -> c.putNull("sliding_window"))));
    ModelConfig gemma2 = resolve("tiny-gemma2", c -> {
      c.remove("attn_logit_softcapping");
      c.putNull("final_logit_softcapping");
    });
    assertEquals(50f, gemma2.attentionSoftcap());
    assertEquals(0f, gemma2.finalSoftcap());
    assertEquals(128, resolve("tiny-qwen3", c -> c.remove("head_dim")).headDim(), "Qwen3Config.head_dim defaults to 128");
    assertEquals(32, resolve("tiny-mistral", c -> c.remove("head_dim")).headDim(), "hidden / heads");
    assertTrue(resolve("tiny-gemma2", c -> c.remove("tie_word_embeddings")).tieWordEmbeddings());
    assertTrue(!resolve("tiny-llama", c -> c.remove("tie_word_embeddings")).tieWordEmbeddings());
  }

  @Test
  void qwenSlidesFromMaxWindowLayersOnlyWithUseSlidingWindow() throws IOException {
    assertArrayEquals(new int[] {0, 16}, windows(resolve("tiny-qwen2", c -> {
      c.remove("layer_types");
      c.put("use_sliding_window", true).put("sliding_window", 16).put("max_window_layers", 1);
    })));
    assertArrayEquals(new int[] {0, 0}, windows(resolve("tiny-qwen2", c -> {
      c.remove("layer_types");
      c.put("use_sliding_window", false).put("sliding_window", 16).put("max_window_layers", 1);
    })));
  }

  @Test
  void gemmaLayerPatternsWithoutLayerTypes() throws IOException {
    assertArrayEquals(new int[] {8, 0, 8}, windows(resolve("tiny-gemma2", c -> c.remove("layer_types"))));
    assertArrayEquals(new int[] {8, 0, 8, 0, 8, 0},
        windows(resolve("tiny-gemma3", c -> c.put("sliding_window_pattern", 2).remove("layer_types"))));
  }

  @Test
  void unsupportedFamiliesAndOptionsAreRefused() {
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-llama", c -> c.put("model_type", "gpt2"))
        .contains("model_type 'gpt2' is not supported; supported: llama, mistral"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-gemma3", c -> c.put("model_type", "gemma3"))
        .contains("gemma3_text"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-llama",
        c -> c.putArray("architectures").add("MistralForCausalLM")).contains("architecture 'MistralForCausalLM'"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-phi3",
        c -> c.putObject("rope_scaling").put("type", "longrope")).contains("rope_scaling type 'longrope' of phi3"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-llama",
        c -> c.putObject("rope_scaling").put("rope_type", "longrope")).contains("rope_scaling.rope_type 'longrope'"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-llama", c -> c.put("hidden_act", "relu"))
        .contains("hidden_act: hidden activation 'relu' is not supported"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-gemma2",
        c -> c.putArray("layer_types").add("full_attention").add("chunked_attention").add("full_attention"))
        .contains("layer_types[1] 'chunked_attention' is not supported"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-gemma3", c -> c.put("use_bidirectional_attention", true))
        .contains("use_bidirectional_attention"));
  }

  @Test
  void newFamiliesResolveAsTheirConfigClassesDo() throws IOException {
    // FalconAttention: a multi_query model has one KV head whatever num_kv_heads says (the fixture says 4)
    ModelConfig falcon = resolve("tiny-falcon", c -> {});
    assertEquals(1, falcon.numKvHeads());
    assertEquals(Residual.PARALLEL, falcon.residual());
    assertEquals(NormKind.LAYER_NORM, falcon.normKind());
    assertEquals(Activation.GELU, falcon.activation());
    assertTrue(falcon.tieWordEmbeddings());
    assertEquals(4, resolve("tiny-falcon", c -> c.put("multi_query", false)).numKvHeads(), "[q k v] per head");
    assertEquals(Residual.SEQUENTIAL, resolve("tiny-falcon", c -> c.put("parallel_attn", false)).residual());
    assertEquals(256, resolve("tiny-falcon", c -> c.remove("ffn_hidden_size")).intermediateSize(), "4 x hidden");
    ModelConfig falcon40b = resolve("tiny-falcon40b", c -> {});
    assertEquals(2, falcon40b.numKvHeads());
    assertEquals(Residual.PARALLEL, resolve("tiny-falcon40b", c -> c.put("parallel_attn", false)).residual(),
        "the new decoder architecture is always parallel");
    ModelConfig bloom = resolve("tiny-bloom", c -> {});
    assertEquals(PositionEncoding.ALIBI, bloom.positions());
    assertEquals(6, bloom.numHeads());
    assertEquals(2, bloom.numLayers());
    assertEquals(Activation.GELU_TANH, bloom.activation());
    ModelConfig moe = resolve("tiny-qwen3_moe", c -> {});
    assertEquals(64, moe.expertIntermediateSize());
    assertEquals(192, moe.intermediateSize());
    assertEquals(ExpertRouting.Weighting.RENORMALIZED, moe.expertWeighting());
    assertEquals(ExpertRouting.Weighting.PROBABILITIES, resolve("tiny-qwen3_moe", c -> c.remove("norm_topk_prob"))
        .expertWeighting(), "Qwen3MoeConfig.norm_topk_prob defaults to false");
    ModelConfig mixed = resolve("tiny-qwen3_moe", c -> c.put("decoder_sparse_step", 2));
    assertEquals(List.of(LayerConfig.Mlp.DENSE, LayerConfig.Mlp.SPARSE), mixed.layers().stream().map(LayerConfig::mlp).toList());
    ModelConfig mlpOnly = resolve("tiny-qwen3_moe", c -> c.putArray("mlp_only_layers").add(1));
    assertEquals(List.of(LayerConfig.Mlp.SPARSE, LayerConfig.Mlp.DENSE), mlpOnly.layers().stream().map(LayerConfig::mlp).toList());
    assertTrue(mlpOnly.features().contains("mixture of experts: top-2 of 8, 1 of 2 layers dense"), mlpOnly.features().toString());
    ModelConfig gptOss = resolve("tiny-gpt_oss", c -> {});
    assertArrayEquals(new int[] {8, 0, 8, 0}, windows(gptOss));
    assertArrayEquals(new int[] {8, 0, 8, 0}, windows(resolve("tiny-gpt_oss", c -> c.remove("layer_types"))));
    assertEquals("yarn", gptOss.rope().scaling().type());
    assertEquals(Activation.CLAMPED_SWIGLU, gptOss.activation());
  }

  @Test
  void newFamiliesRefuseWhatTheyCannotRunExactly() {
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-falcon", c -> c.put("alibi", true))
        .contains("falcon with alibi true (Falcon-RW) is not supported"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-bloom",
        c -> c.put("apply_residual_connection_post_layernorm", true)).contains("apply_residual_connection_post_layernorm"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-bloom", c -> c.put("pretraining_tp", 4))
        .contains("pretraining_tp 4"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-gpt_oss", c -> c.put("swiglu_limit", 10.0))
        .contains("swiglu_limit 10.0 is not supported"));
    assertTrue(refused(ConfigException.class, "tiny-qwen3_moe", c -> c.putArray("mlp_only_layers").add(7))
        .contains("mlp_only_layers entry 7 is not a layer index"));
    assertTrue(refused(ConfigException.class, "tiny-falcon40b", c -> c.put("num_kv_heads", 3))
        .contains("num_attention_heads 4 is not a multiple of num_kv_heads 3"));
  }

  @Test
  void inconsistentConfigsAreErrorsNamingTheField() {
    assertTrue(refused(ConfigException.class, "tiny-gemma2", c -> c.putArray("layer_types").add("full_attention"))
        .contains("layer_types has 1 entries for 3 layers"));
    assertTrue(refused(ConfigException.class, "tiny-mixtral", c -> c.put("num_experts_per_tok", 5))
        .contains("num_experts_per_tok 5 is more than num_local_experts 4"));
    assertTrue(refused(ConfigException.class, "tiny-mistral", c -> c.put("sliding_window", -3))
        .contains("'sliding_window' must be a positive integer or null"));
    assertTrue(refused(ConfigException.class, "tiny-gemma2", c -> c.put("attn_logit_softcapping", "big"))
        .contains("'attn_logit_softcapping' must be a positive number or null"));
    assertTrue(refused(ConfigException.class, "tiny-phi3", c -> c.put("partial_rotary_factor", 0.01))
        .contains("partial_rotary_factor"));
  }
}
