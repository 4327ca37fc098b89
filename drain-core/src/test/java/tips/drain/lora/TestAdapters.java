package tips.drain.lora;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import tips.drain.io.ModelFiles;
import tips.drain.io.SafetensorsWriter;
import tips.drain.io.TensorInfo;

/** Writes random PEFT adapters, and base models with an adapter merged by hand (in double), for the LoRA tests. */
final class TestAdapters {
  private TestAdapters() {}

  /** One adapted module: {@code (out, in)} with rank {@code rank}. */
  record Spec(String module, int out, int in, int rank, double scale) {}

  /** The A and B of each module, random N(0, 0.1). */
  static Map<String, float[][]> random(Iterable<Spec> specs, long seed) {
    Random random = new Random(seed);
    Map<String, float[][]> ab = new LinkedHashMap<>();
    for (Spec s : specs) {
      ab.put(s.module(), new float[][] {gaussian(random, s.rank() * s.in()), gaussian(random, s.out() * s.rank())});
    }
    return ab;
  }

  static float[] gaussian(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextGaussian() * 0.1);
    }
    return v;
  }

  /** Writes {@code adapter_config.json} and {@code adapter_model.safetensors} with PEFT's tensor names. */
  static void write(Path dir, String configJson, Iterable<Spec> specs, Map<String, float[][]> ab,
      Map<String, float[]> wholeTensors, Map<String, long[]> wholeShapes) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("adapter_config.json"), configJson);
    SafetensorsWriter w = new SafetensorsWriter();
    for (Spec s : specs) {
      String p = "base_model.model." + s.module();
      w.addF32(p + ".lora_A.weight", new long[] {s.rank(), s.in()}, ab.get(s.module())[0]);
      w.addF32(p + ".lora_B.weight", new long[] {s.out(), s.rank()}, ab.get(s.module())[1]);
    }
    for (var e : wholeTensors.entrySet()) {
      w.addF32("base_model.model." + e.getKey(), wholeShapes.get(e.getKey()), e.getValue());
    }
    w.write(dir.resolve("adapter_model.safetensors"));
  }

  /**
   * Copies the model in {@code base} to {@code out} with {@code W + scale·B·A} computed in double for each
   * adapted module and the whole tensors replaced; all tensors F32.
   */
  static void mergeByHand(Path base, Path out, Iterable<Spec> specs, Map<String, float[][]> ab,
      Map<String, float[]> wholeTensors) throws IOException {
    Files.createDirectories(out);
    Files.copy(base.resolve("config.json"), out.resolve("config.json"));
    Map<String, Spec> byWeight = new LinkedHashMap<>();
    specs.forEach(s -> byWeight.put(s.module() + ".weight", s));
    SafetensorsWriter w = new SafetensorsWriter();
    try (ModelFiles files = ModelFiles.open(base)) {
      for (TensorInfo t : files.tensors()) {
        float[] values = files.toFloatArray(t.name());
        Spec s = byWeight.get(t.name());
        if (s != null) {
          float[] a = ab.get(s.module())[0];
          float[] b = ab.get(s.module())[1];
          for (int r = 0; r < s.out(); r++) {
            for (int c = 0; c < s.in(); c++) {
              double delta = 0;
              for (int k = 0; k < s.rank(); k++) {
                delta += (double) b[r * s.rank() + k] * a[k * s.in() + c];
              }
              values[r * s.in() + c] = (float) (values[r * s.in() + c] + s.scale() * delta);
            }
          }
        }
        if (wholeTensors.containsKey(t.name())) {
          values = wholeTensors.get(t.name());
        }
        w.addF32(t.name(), t.shape(), values);
      }
    }
    w.write(out.resolve("model.safetensors"));
  }

  /** A minimal adapter_config.json. */
  static String config(int r, double alpha, String extra) {
    return "{\"peft_type\":\"LORA\",\"r\":" + r + ",\"lora_alpha\":" + alpha + ",\"bias\":\"none\",\"fan_in_fan_out\":false,"
        + "\"use_rslora\":false,\"use_dora\":false,\"task_type\":\"CAUSAL_LM\",\"base_model_name_or_path\":\"tiny\""
        + (extra.isEmpty() ? "" : "," + extra) + "}";
  }
}
