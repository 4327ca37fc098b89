package tips.drain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The rotary frequencies of each {@code rope_scaling} type against values worked out by hand from
 * transformers' {@code modeling_rope_utils} formulas, with theta 10000 and 8 rotary dimensions, so that the
 * unscaled inverse frequencies are exactly {@code 1, 0.1, 0.01, 0.001}.
 */
class RopeScalingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path FILE = Path.of("config.json");

  private static float[] inv(String ropeScaling, int maxPositions, int seqLen) throws Exception {
    JsonNode node = ropeScaling == null ? null : JSON.readTree(ropeScaling);
    RopeScaling s = RopeScalings.parse(node, maxPositions, FILE);
    return Rope.inverseFrequencies(new RopeConfig(10000, 8, s), seqLen);
  }

  private static void assertClose(double[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], Math.abs(expected[i]) * 1e-6, "inv_freq[" + i + "]");
    }
  }

  @Test
  void defaultIsThetaToTheMinusTwoIOverD() throws Exception {
    assertClose(new double[] {1, 0.1, 0.01, 0.001}, inv(null, 100, 0));
  }

  @Test
  void linearDividesEveryFrequency() throws Exception {
    assertClose(new double[] {0.25, 0.025, 0.0025, 0.00025}, inv("{\"type\":\"linear\",\"factor\":4.0}", 100, 0));
  }

  @Test
  void llama3KeepsHighFrequenciesScalesLowOnesAndBlendsBetween() throws Exception {
    // original context 1000, low 1, high 4: wavelengths 2π/inv = 6.28, 62.8, 628, 6283 against 250 and 1000
    float[] inv = inv("{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
        + "\"original_max_position_embeddings\":1000}", 100, 0);
    double smooth = (1000 / (2 * Math.PI / 0.01) - 1) / (4 - 1); // 0.19718
    assertClose(new double[] {1, 0.1, (1 - smooth) * 0.01 / 8 + smooth * 0.01, 0.001 / 8}, inv);
    assertEquals(0.0029754, inv[2], 1e-7);
  }

  @Test
  void dynamicGrowsTheBaseOnlyPastMaxPositions() throws Exception {
    String dynamic = "{\"rope_type\":\"dynamic\",\"factor\":2.0}";
    assertClose(new double[] {1, 0.1, 0.01, 0.001}, inv(dynamic, 100, 100));
    // seq_len 200: base = 10000 * (2 * 200/100 - 1)^(8/6)
    double base = 10000 * Math.pow(3, 8.0 / 6);
    assertClose(new double[] {1, Math.pow(base, -0.25), Math.pow(base, -0.5), Math.pow(base, -0.75)}, inv(dynamic, 100, 200));
  }

  @Test
  void yarnRampsFromInterpolationToExtrapolation() throws Exception {
    // correction range: dims 0.70 -> floor 0 (beta_fast 32) and 2.20 -> ceil 3 (beta_slow 1); ramp i/3
    String yarn = "{\"rope_type\":\"yarn\",\"factor\":4.0,\"original_max_position_embeddings\":1000}";
    assertClose(new double[] {1, 0.1 / 4 / 3 + 0.1 * 2 / 3, 0.01 / 4 * 2 / 3 + 0.01 / 3, 0.001 / 4}, inv(yarn, 4000, 0));
    Rope rope = new Rope(new RopeConfig(10000, 8, RopeScalings.parse(JSON.readTree(yarn), 4000, FILE)));
    assertEquals(0.1 * Math.log(4) + 1, rope.attentionFactor(), 1e-6);
    float[] cos = new float[4];
    float[] sin = new float[4];
    rope.angles(0, cos, sin, 0);
    assertEquals(0.1 * Math.log(4) + 1, cos[0], 1e-6, "cos and sin carry the attention factor");
  }

  @Test
  void yarnAttentionFactorFromMscales() throws Exception {
    RopeScaling s = RopeScalings.parse(JSON.readTree("{\"rope_type\":\"yarn\",\"factor\":40.0,\"mscale\":1.0,"
        + "\"mscale_all_dim\":0.707,\"original_max_position_embeddings\":4096}"), 163840, FILE);
    assertEquals((0.1 * Math.log(40) + 1) / (0.1 * 0.707 * Math.log(40) + 1), s.attentionFactor(), 1e-12);
  }

  @Test
  void partialRotaryLeavesTheRestOfTheHeadAlone() {
    Rope rope = new Rope(new RopeConfig(10000, 4, RopeScaling.NONE));
    float[] cos = new float[2];
    float[] sin = new float[2];
    rope.angles(1, cos, sin, 0);
    float[] x = {1, 0, 0, 0, 5, 6};
    rope.rotate(x, 0, 1, 6, cos, sin, 0);
    assertArrayEquals(new float[] {(float) Math.cos(1), 0, (float) Math.sin(1), 0, 5, 6}, x, 1e-7f);
  }

  @Test
  void unsupportedTypesAreRefusedNamingTheField() throws Exception {
    UnsupportedArchitectureException e = assertThrows(UnsupportedArchitectureException.class, () -> RopeScalings.parse(
        JSON.readTree("{\"rope_type\":\"longrope\",\"long_factor\":[1],\"short_factor\":[1]}"), 4096, FILE));
    assertTrue(e.getMessage().contains("config.json: rope_scaling.rope_type 'longrope' is not supported"), e.getMessage());
    ConfigException missing = assertThrows(ConfigException.class,
        () -> RopeScalings.parse(JSON.readTree("{\"rope_type\":\"llama3\",\"factor\":8.0}"), 4096, FILE));
    assertTrue(missing.getMessage().contains("needs 'low_freq_factor'"), missing.getMessage());
  }
}
