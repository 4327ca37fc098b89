package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.io.GgufFile;
import tips.drain.io.GgufTensorInfo;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.MatrixFormat;
import tips.drain.testing.TestData;

/**
 * The GGUF files of {@code shared/models/tiny-kquants} (llama.cpp's {@code llama-quantize} outputs, Q4_K_M, Q5_K_M,
 * Q6_K, Q8_0, Q4_0): every block tensor read zero-copy and dequantized bit for bit as ggml does (the fixture's
 * sha256 of the float32 values) and quantized again from the F32 file into the same bytes; ggml's single products
 * within 1e-5; the F32 file's logits within 1e-4 with exact greedy ids; the quantized files teacher-forced on
 * llama.cpp's ids within the fixture's bound of 1.0 on every row and 1e-4 on the rows its README marks safe from
 * 8-bit activation rounding flips, greedy ids up to the first row over 1e-4.
 */
@Tag("kernels")
class GgufTinyKQuantsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> QUANTIZED = List.of("model-q4_k_m.gguf", "model-q5_k_m.gguf", "model-q6_k.gguf", "model-q8_0.gguf", "model-q4_0.gguf");
  /** The fixture's {@code q8_flip_safety_per_row} from which a row must be within 1e-4 (its README: an engine within ~1e-7 of ggml before each quantization). */
  private static final double SAFE = 3e-6;

  private static Path fixture() {
    return TestData.model("tiny-kquants");
  }

  @TestFactory
  Stream<DynamicTest> blockTensorsDequantizeBitExact() throws IOException {
    JsonNode reference = JSON.readTree(fixture().resolve("reference.json").toFile());
    List<DynamicTest> tests = new ArrayList<>();
    for (String file : QUANTIZED) {
      JsonNode expected = reference.get("files").get(file).get("dequant").get("tensors");
      tests.add(DynamicTest.dynamicTest(file, () -> {
        int checked = 0;
        try (GgufFile gguf = GgufFile.open(fixture().resolve(file))) {
          for (GgufTensorInfo t : gguf.tensors()) {
            if (!t.type().isBlockFormat()) {
              continue;
            }
            MatrixFormat format = MatrixFormat.byName(t.type().name()).orElseThrow();
            int rows = (int) t.shape()[0];
            int cols = (int) t.shape()[1];
            Matrix m = format.open(gguf.segment(t.name()), rows, cols);
            assertEquals(expected.get(t.name()).get("sha256_f32le").asText(), sha256(m), file + " " + t.name());
            checked++;
          }
        }
        assertTrue(checked >= 15, file + ": " + checked + " tensors checked");
      }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> logitsMatchLlamaCpp() throws IOException {
    JsonNode reference = JSON.readTree(fixture().resolve("reference.json").toFile());
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, Double> e : Map.of("model-f32.gguf", 1e-4, "model-q8_0.gguf", 1.0, "model-q4_0.gguf", 1.0,
        "model-q4_k_m.gguf", 1.0, "model-q5_k_m.gguf", 1.0, "model-q6_k.gguf", 1.0).entrySet()) {
      for (JsonNode prompt : reference.get("files").get(e.getKey()).get("prompts")) {
        tests.add(DynamicTest.dynamicTest(e.getKey() + " " + prompt.get("name").asText(),
            () -> teacherForced(e.getKey(), prompt, e.getValue())));
      }
    }
    return tests.stream();
  }

  /**
   * Feeds {@code input_ids + greedy_ids_llamacpp} one token per call; every row within {@code bound}, greedy ids
   * equal up to the first row over 1e-4 (all of them for F32).
   */
  private static void teacherForced(String file, JsonNode prompt, double bound) {
    int[] input = ints(prompt.get("input_ids"));
    int[] greedy = ints(prompt.get("greedy_ids_llamacpp"));
    List<JsonNode> rows = new ArrayList<>();
    prompt.get("logits_llamacpp").forEach(rows::add);
    prompt.get("logits_llamacpp_generated").forEach(rows::add);
    try (LanguageModel model = LanguageModel.load(fixture().resolve(file),
            LoadOptions.defaults().withThreads(2).withTokenizer(false));
         Session session = model.newSession(SessionOptions.defaults().withContextLength(128).withBatchSize(1))) {
      int vocab = model.config().vocabSize();
      double worst = 0;
      int within = 0;
      boolean flipped = false;
      for (int r = 0; r < rows.size(); r++) {
        int token = r < input.length ? input[r] : greedy[r - input.length];
        float[] logits = session.feedAll(new int[] {token});
        double diff = 0;
        for (int v = 0; v < vocab; v++) {
          diff = Math.max(diff, Math.abs(logits[v] - rows.get(r).get(v).asDouble()));
        }
        worst = Math.max(worst, diff);
        JsonNode safety = prompt.get("q8_flip_safety_per_row");
        if (safety != null && safety.get(r).asDouble() >= SAFE) {
          assertTrue(diff <= 1e-4, file + " row " + r + " (flip safety " + safety.get(r).asDouble() + "): max |Δlogit| " + diff);
        }
        within += diff <= 1e-4 ? 1 : 0;
        flipped |= diff > 1e-4;
        int next = r + 1 - input.length;
        if (!flipped && next >= 0 && next < greedy.length) {
          assertEquals(greedy[next], argmax(logits), file + " greedy id " + next);
        }
      }
      assertTrue(worst <= bound, file + ": max |Δlogit| " + worst + " over the bound " + bound);
      System.out.printf("%s %s: max |Δlogit| %.2e, %d of %d rows within 1e-4%n", file, prompt.get("name").asText(), worst,
          within, rows.size());
    }
  }

  /**
   * DRAIN's reference quantizers against llama.cpp's {@code llama-quantize} (no importance matrix): every block
   * tensor of every quantized file, quantized again from the F32 file's weights, is the same bytes.
   */
  @TestFactory
  Stream<DynamicTest> quantizersWriteLlamaQuantizesBytes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String file : QUANTIZED) {
      tests.add(DynamicTest.dynamicTest(file, () -> {
        int checked = 0;
        try (GgufFile f32 = GgufFile.open(fixture().resolve("model-f32.gguf")); GgufFile gguf = GgufFile.open(fixture().resolve(file))) {
          for (GgufTensorInfo t : gguf.tensors()) {
            if (!t.type().isBlockFormat()) {
              continue;
            }
            QuantFormat format = QuantFormat.valueOf(t.type().name());
            int rows = (int) t.shape()[0];
            int cols = (int) t.shape()[1];
            MemorySegment source = f32.segment(t.name());
            MemorySegment stored = gguf.segment(t.name());
            float[] row = new float[cols];
            try (Arena arena = Arena.ofConfined()) {
              MemorySegment mine = arena.allocate(format.rowBytes(cols));
              for (int r = 0; r < rows; r++) {
                MemorySegment.copy(source, ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * r * cols, row, 0, cols);
                format.quantizeRow(row, 0, cols, mine, 0);
                long at = r * format.rowBytes(cols);
                assertEquals(-1L, mine.mismatch(stored.asSlice(at, format.rowBytes(cols))), file + " " + t.name() + " row " + r);
              }
            }
            checked++;
          }
        }
        assertTrue(checked >= 16, file + ": " + checked + " tensors checked");
      }));
    }
    return tests.stream();
  }

  /**
   * {@code matvec_samples.json}: the first 16 rows of two tensors per weight type times an input, with the
   * activations quantized by this JVM's kernels, within 1e-5 of ggml's {@code vec_dot} (which is within 1.6e-6 of
   * exact arithmetic on the same integers).
   */
  @Test
  void singleProductsWithinGgmlsVecDot() throws IOException {
    JsonNode samples = JSON.readTree(fixture().resolve("matvec_samples.json").toFile());
    int checked = 0;
    for (JsonNode s : samples) {
      try (GgufFile gguf = GgufFile.open(fixture().resolve(s.get("file").asText()))) {
        GgufTensorInfo t = gguf.info(s.get("tensor").asText());
        Matrix m = MatrixFormat.byName(t.type().name()).orElseThrow()
            .open(gguf.segment(t.name()), (int) t.shape()[0], (int) t.shape()[1]);
        float[] x = new float[m.cols()];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) s.get("x").get(i).asDouble();
        }
        int rows = s.get("rows").asInt();
        float[] y = new float[rows];
        m.matvec(x, y, 0, rows);
        for (int r = 0; r < rows; r++) {
          assertEquals(s.get("y_ggml").get(r).asDouble(), y[r], 1e-5, s.get("file").asText() + " " + t.name() + " row " + r);
        }
      }
      checked++;
    }
    assertEquals(10, checked);
  }

  private static String sha256(Matrix m) throws NoSuchAlgorithmException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    float[] row = new float[m.cols()];
    ByteBuffer bytes = ByteBuffer.allocate(4 * m.cols()).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < m.rows(); r++) {
      m.readRow(r, row, 0);
      bytes.clear();
      bytes.asFloatBuffer().put(row);
      sha.update(bytes.array());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
