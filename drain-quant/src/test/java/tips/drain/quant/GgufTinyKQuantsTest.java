package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
 * The GGUF part of {@code shared/models/tiny-kquants} for the formats drain-quant has: every Q8_0 and Q4_0 tensor
 * of llama-quantize's files read zero-copy and dequantized bit for bit as ggml does (the fixture's sha256 of the
 * float32 values); the F32 file's logits within 1e-4 with exact greedy ids; the Q8_0 file teacher-forced on
 * llama.cpp's ids within the fixture's bound of 1.0 on every row (8-bit activation rounding flips, see its
 * README), reporting the rows within 1e-4.
 */
@Tag("kernels")
class GgufTinyKQuantsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path fixture() {
    return TestData.model("tiny-kquants");
  }

  @TestFactory
  Stream<DynamicTest> q8AndQ4TensorsDequantizeBitExact() throws IOException {
    JsonNode reference = JSON.readTree(fixture().resolve("reference.json").toFile());
    List<DynamicTest> tests = new ArrayList<>();
    for (String file : List.of("model-q8_0.gguf", "model-q4_0.gguf")) {
      JsonNode expected = reference.get("files").get(file).get("dequant").get("tensors");
      tests.add(DynamicTest.dynamicTest(file, () -> {
        int checked = 0;
        try (GgufFile gguf = GgufFile.open(fixture().resolve(file))) {
          for (GgufTensorInfo t : gguf.tensors()) {
            if (!t.type().name().equals("Q8_0") && !t.type().name().equals("Q4_0")) {
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
    for (Map.Entry<String, Double> e : Map.of("model-f32.gguf", 1e-4, "model-q8_0.gguf", 1.0).entrySet()) {
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
