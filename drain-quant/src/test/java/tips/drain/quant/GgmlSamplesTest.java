package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tips.drain.testing.TestData;

/**
 * The formats against ggml's own output on the shared {@code tiny-kquants} fixture (made by llama.cpp's
 * {@code llama-quantize} and ggml's {@code dequantize_row_*} / {@code from_float}, read back by its C drivers):
 * dequantization of stored blocks and quantization of activations, both bit for bit, through the reference
 * and through this JVM's kernels.
 */
@Tag("kernels")
class GgmlSamplesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code dequant_samples.json}: per tensor, the blocks holding the first 512 values and ggml's floats for them. */
  @Test
  void dequantizesStoredBlocksAsGgml() throws IOException {
    JsonNode samples = JSON.readTree(TestData.path("models/tiny-kquants/dequant_samples.json").toFile());
    int checked = 0;
    for (JsonNode s : samples) {
      QuantFormat format = QuantFormat.valueOf(s.get("type").asText());
      byte[] raw = HexFormat.of().parseHex(s.get("raw_hex_first_512_values").asText());
      int cols = Math.min(512, s.get("ne").get(0).asInt()); // the first 512 values, as rows of the tensor or as one row of blocks
      int rows = 512 / cols;
      String what = s.get("file").asText() + " " + s.get("tensor").asText() + " (" + format + ")";
      assertEquals(format.byteSize(rows, cols), raw.length, what + ": bytes of 512 values");
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment blocks = arena.allocate(raw.length + 1).asSlice(1); // at an odd address, as a mapped tensor can be
        MemorySegment.copy(raw, 0, blocks, ValueLayout.JAVA_BYTE, 0, raw.length);
        float[] reference = new float[512];
        format.dequantizeRow(blocks, 0, reference, 0, 512);
        MemorySegment tiles = arena.allocate(512L * Float.BYTES);
        QuantKernelProvider.kernels().dequantize(format, blocks, cols, 0, rows, tiles);
        JsonNode want = s.get("first_512");
        for (int i = 0; i < 512; i++) {
          int bits = Float.floatToRawIntBits((float) want.get(i).asDouble());
          assertEquals(bits, Float.floatToRawIntBits(reference[i]), what + " value " + i + " (format table)");
          assertEquals(bits, Float.floatToRawIntBits(tiles.getAtIndex(ValueLayout.JAVA_FLOAT, i)),
              what + " value " + i + " (" + QuantKernelProvider.kernels().name() + " kernels)");
        }
      }
      checked++;
    }
    assertEquals(15, checked, "3 tensors of each of Q4_K, Q5_K, Q6_K, Q8_0, Q4_0");
  }

  /** {@code matvec_samples.json}: an input vector and ggml's 8-bit activations of it (Q8_K, or x86's Q8_0). */
  @Test
  void quantizesActivationsAsGgml() throws IOException {
    JsonNode samples = JSON.readTree(TestData.path("models/tiny-kquants/matvec_samples.json").toFile());
    QuantKernels kernels = QuantKernelProvider.kernels();
    int checked = 0;
    for (JsonNode s : samples) {
      QuantFormat format = QuantFormat.valueOf(s.get("weight_type").asText());
      int n = s.get("n").asInt();
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (float) s.get("x").get(i).asDouble();
      }
      JsonNode want = s.get("x_quantized");
      String what = s.get("file").asText() + " " + s.get("tensor").asText() + " " + s.get("activation_type").asText();
      if (format.activationFormat() == ActivationFormat.Q8_K) {
        assertEquals("Q8_K", s.get("activation_type").asText());
        Q8KActivations reference = new Q8KActivations(1, n);
        reference.quantize(0, x, 0);
        Q8KActivations fast = new Q8KActivations(1, n);
        kernels.quantize(x, 0, fast, 0);
        for (Q8KActivations acts : new Q8KActivations[] {reference, fast}) {
          for (int k = 0; k < n / 256; k++) {
            assertEquals((float) want.get("d").get(k).asDouble(), acts.scales()[k], what + " d of block " + k);
          }
          for (int i = 0; i < n; i++) {
            assertEquals(want.get("qs").get(i).asInt(), acts.values()[i], what + " value " + i);
          }
          for (int g = 0; g < n / 16; g++) {
            assertEquals(want.get("bsums").get(g).asInt(), acts.bsums()[g], what + " bsum " + g);
          }
        }
      } else {
        assertEquals("Q8_0", s.get("activation_type").asText());
        Q8Activations reference = new Q8Activations(1, n);
        reference.quantize(0, x, 0);
        Q8Activations fast = new Q8Activations(1, n);
        kernels.quantize(x, 0, fast, 0);
        for (Q8Activations acts : new Q8Activations[] {reference, fast}) {
          for (int k = 0; k < n / 32; k++) {
            assertEquals((float) want.get("d").get(k).asDouble(), acts.scales()[k], what + " d of block " + k);
          }
          for (int i = 0; i < n; i++) {
            assertEquals(want.get("qs").get(i).asInt(), acts.values()[i], what + " value " + i);
          }
        }
      }
      checked++;
    }
    assertTrue(checked == 10, "2 tensors of each weight type, " + checked + " read");
  }
}
