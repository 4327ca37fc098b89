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
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-llama", c -> c.put("hidden_act", "gelu"))
        .contains("hidden_act: hidden activation 'gelu' is not supported"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-gemma2",
        c -> c.putArray("layer_types").add("full_attention").add("chunked_attention").add("full_attention"))
        .contains("layer_types[1] 'chunked_attention' is not supported"));
    assertTrue(refused(UnsupportedArchitectureException.class, "tiny-gemma3", c -> c.put("use_bidirectional_attention", true))
        .contains("use_bidirectional_attention"));
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
