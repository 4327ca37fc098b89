package tips.drain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
  @TempDir Path dir;

  private static final String BASE = """
      "model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 172,
      "num_hidden_layers": 2, "num_attention_heads": 8, "vocab_size": 512""";

  private ModelConfig resolve(String json) throws IOException {
    Files.writeString(dir.resolve("config.json"), "{" + json + "}");
    HfConfig raw = ConfigReader.readConfig(dir);
    return Architectures.of(raw, dir.resolve("config.json")).resolve(raw, dir.resolve("config.json"));
  }

  private String error(String json) {
    Exception e = assertThrows(Exception.class, () -> resolve(json));
    assertTrue(e instanceof tips.drain.DrainException, "typed error expected, got " + e);
    assertTrue(e.getMessage().contains("config.json"), "message names the file: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void appliesDefaults() throws IOException {
    ModelConfig c = resolve(BASE);
    assertEquals(8, c.numKvHeads(), "num_key_value_heads defaults to num_attention_heads");
    assertEquals(8, c.headDim(), "head_dim defaults to hidden / heads");
    assertEquals(10000.0, c.rope().theta());
    assertEquals(1e-6f, c.rmsNormEps());
    assertEquals(2048, c.contextLength());
    assertEquals(-1, c.bosTokenId());
    assertArrayEquals(new int[0], c.eosTokenIds());
  }

  @Test
  void readsExplicitValues() throws IOException {
    ModelConfig c = resolve(BASE + ", \"num_key_value_heads\": 4, \"head_dim\": 16, \"eos_token_id\": [2, 7],"
        + " \"rope_theta\": 500000.0, \"tie_word_embeddings\": true, \"rms_norm_eps\": 1e-5, \"bos_token_id\": 1");
    assertEquals(4, c.numKvHeads());
    assertEquals(16, c.headDim());
    assertEquals(128, c.queryDim());
    assertEquals(2, c.groupSize());
    assertArrayEquals(new int[] {2, 7}, c.eosTokenIds());
    assertTrue(c.tieWordEmbeddings());
    assertEquals(1, c.bosTokenId());
  }

  @Test
  void missingRequiredFieldIsNamed() {
    String m = error("\"model_type\": \"llama\", \"hidden_size\": 64, \"num_attention_heads\": 8");
    assertTrue(m.contains("missing required field"), m);
  }

  @Test
  void wrongTypeIsNamed() {
    String m = error(BASE.replace("\"hidden_size\": 64", "\"hidden_size\": \"big\""));
    assertTrue(m.contains("hidden_size"), m);
  }

  @Test
  void fractionalIntegerIsRejected() {
    String m = error(BASE.replace("\"hidden_size\": 64", "\"hidden_size\": 64.5"));
    assertTrue(m.contains("hidden_size"), m);
  }

  @Test
  void negativeSizeIsRejected() {
    String m = error(BASE.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": -2"));
    assertTrue(m.contains("num_hidden_layers") && m.contains("positive"), m);
  }

  @Test
  void headsMustDivide() {
    String m = error(BASE + ", \"num_key_value_heads\": 3");
    assertTrue(m.contains("not a multiple"), m);
    String m2 = error(BASE.replace("\"hidden_size\": 64", "\"hidden_size\": 65"));
    assertTrue(m2.contains("not divisible"), m2);
  }

  @Test
  void unknownModelTypeListsSupported() {
    Exception e = assertThrows(UnsupportedArchitectureException.class, () -> resolve(BASE.replace("\"llama\"", "\"gpt_neox\"")));
    assertTrue(e.getMessage().contains("gpt_neox") && e.getMessage().contains("supported: llama"), e.getMessage());
  }

  @Test
  void unknownArchitectureClassIsRejected() {
    Exception e = assertThrows(UnsupportedArchitectureException.class,
        () -> resolve(BASE.replace("LlamaForCausalLM", "LlamaForSequenceClassification")));
    assertTrue(e.getMessage().contains("LlamaForSequenceClassification"), e.getMessage());
  }

  @Test
  void unsupportedRopeScalingIsRefusedNotIgnored() {
    Exception e = assertThrows(UnsupportedArchitectureException.class,
        () -> resolve(BASE + ", \"rope_scaling\": {\"rope_type\": \"longrope\", \"factor\": 2.0}"));
    assertTrue(e.getMessage().contains("longrope"), e.getMessage());
  }

  @Test
  void notJsonIsExplained() throws IOException {
    Files.writeString(dir.resolve("config.json"), "{ nope");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigReader.readConfig(dir));
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigReader.readConfig(dir));
    assertTrue(e.getMessage().contains("config.json: no such file"), e.getMessage());
  }

  @Test
  void generationConfigIsOptional() throws IOException {
    assertEquals(0, ConfigReader.readGenerationConfig(dir).eosTokenIds().length);
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [128001, 128009], \"temperature\": 0.6}");
    GenerationConfig g = ConfigReader.readGenerationConfig(dir);
    assertArrayEquals(new int[] {128001, 128009}, g.eosTokenIds());
    assertEquals(0.6, g.temperature());
    assertNull(g.topK());
  }

  @Test
  void generationConfigGivesTransformersSamplingDefaults() throws IOException {
    assertTrue(GenerationConfig.NONE.samplingDefaults().isGreedy());
    Files.writeString(dir.resolve("generation_config.json"), "{\"do_sample\": true, \"temperature\": 0.6, \"top_p\": 0.9}");
    var p = ConfigReader.readGenerationConfig(dir).samplingDefaults();
    assertEquals(0.6f, p.temperature());
    assertEquals(0.9f, p.topP());
    assertEquals(50, p.topK(), "transformers' default top_k");
    Files.writeString(dir.resolve("generation_config.json"), "{\"do_sample\": false, \"temperature\": 0.6}");
    assertTrue(ConfigReader.readGenerationConfig(dir).samplingDefaults().isGreedy());
  }
}
