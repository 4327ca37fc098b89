package tips.drain.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.Matrix;

class ModelFilesTest {
  @TempDir Path dir;

  @Test
  void readsShardsThroughTheIndex() throws IOException {
    new SafetensorsWriter().addF32("a", new long[] {2, 2}, new float[] {1, 2, 3, 4}).write(dir.resolve("model-00001-of-00002.safetensors"));
    new SafetensorsWriter().addF32("b", new long[] {2}, new float[] {5, 6}).write(dir.resolve("model-00002-of-00002.safetensors"));
    Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"metadata\": {}, \"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"}}");
    try (ModelFiles files = ModelFiles.open(dir)) {
      assertEquals(2, files.files().size());
      assertArrayEquals(new float[] {5, 6}, files.toFloatArray("b"));
      Weights w = new Weights(files, new ScalarKernels());
      Matrix a = w.matrix("a", 2, 2);
      float[] out = new float[2];
      a.matvec(new float[] {1, 1}, out, 0, 2);
      assertArrayEquals(new float[] {3, 7}, out);
    }
  }

  @Test
  void missingShardIsNamed() throws IOException {
    Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": \"gone.safetensors\"}}");
    FormatException e = assertThrows(FormatException.class, () -> ModelFiles.open(dir));
    assertTrue(e.getMessage().contains("gone.safetensors"), e.getMessage());
  }

  @Test
  void emptyDirectoryIsExplained() {
    FormatException e = assertThrows(FormatException.class, () -> ModelFiles.open(dir));
    assertTrue(e.getMessage().contains("no model.safetensors"), e.getMessage());
  }

  @Test
  void duplicateTensorAcrossShardsIsRejected() throws IOException {
    new SafetensorsWriter().addF32("a", new long[] {1}, new float[] {1}).write(dir.resolve("x.safetensors"));
    new SafetensorsWriter().addF32("a", new long[] {1}, new float[] {2}).write(dir.resolve("y.safetensors"));
    FormatException e = assertThrows(FormatException.class, () -> ModelFiles.open(dir));
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
  }

  @Test
  void wrongShapeNamesFileTensorAndBothShapes() {
    new SafetensorsWriter().addF32("model.layers.3.self_attn.q_proj.weight", new long[] {32, 64}, new float[32 * 64])
        .write(dir.resolve("model.safetensors"));
    try (ModelFiles files = ModelFiles.open(dir)) {
      Weights w = new Weights(files, new ScalarKernels()).scope("model").scope("layers.3").scope("self_attn");
      WeightException e = assertThrows(WeightException.class, () -> w.matrix("q_proj.weight", 64, 64));
      assertEquals(dir.resolve("model.safetensors") + ": model.layers.3.self_attn.q_proj.weight: expected [64, 64], got "
          + "[32, 64] (F32)", e.getMessage(), "names the file, the tensor and both shapes");
      WeightException missing = assertThrows(WeightException.class, () -> w.vector("q_norm.weight", 64));
      assertTrue(missing.getMessage().contains("model.layers.3.self_attn.q_norm.weight"), missing.getMessage());
    }
  }
}
