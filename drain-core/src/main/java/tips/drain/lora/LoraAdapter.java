package tips.drain.lora;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import tips.drain.io.SafetensorsFile;
import tips.drain.io.TensorInfo;

/**
 * A PEFT LoRA adapter read into memory: {@code adapter_config.json} ({@link LoraConfig}) and
 * {@code adapter_model.safetensors}. Tensor names are PEFT's: {@code base_model.model.<module>.lora_A.weight}
 * {@code (r, in)} and {@code .lora_B.weight} {@code (out, r)} (an adapter name such as {@code .default.} before
 * {@code weight} is accepted), and whole tensors ({@code modules_to_save}, saved biases) as
 * {@code base_model.model.<tensor>}. The adapter holds its own copy of these (small) tensors; the base model's
 * weights are never touched.
 */
public final class LoraAdapter {
  private static final String PREFIX = "base_model.model.";

  /**
   * One adapted linear layer: {@code W' = W + scale · B·A}.
   *
   * @param module the module name in the base model, e.g. {@code model.layers.0.self_attn.q_proj}
   * @param a {@code (rank, in)} row-major
   * @param b {@code (out, rank)} row-major
   */
  public record Module(String module, int rank, int in, int out, float[] a, float[] b, float scale) {

    /** The base tensor this module adapts: {@code module + ".weight"}. */
    public String weightName() {
      return module + ".weight";
    }

    /** {@code (B·A)[row, :] * scale} into {@code dst[0 .. in)}, as PEFT's {@code get_delta_weight}. */
    public void deltaRow(int row, float[] dst) {
      Arrays.fill(dst, 0, in, 0f);
      for (int k = 0; k < rank; k++) {
        float bk = b[row * rank + k];
        for (int j = 0; j < in; j++) {
          dst[j] += bk * a[k * in + j];
        }
      }
      for (int j = 0; j < in; j++) {
        dst[j] *= scale;
      }
    }
  }

  /** A tensor stored whole in the adapter, replacing the base's ({@code modules_to_save}, biases). */
  public record Replacement(String name, long[] shape, float[] values) {}

  private final Path directory;
  private final LoraConfig config;
  private final Map<String, Module> modules;
  private final Map<String, Replacement> replacements;

  private LoraAdapter(Path directory, LoraConfig config, Map<String, Module> modules, Map<String, Replacement> replacements) {
    this.directory = directory;
    this.config = config;
    this.modules = Collections.unmodifiableMap(modules);
    this.replacements = Collections.unmodifiableMap(replacements);
  }

  /** Reads the adapter in {@code dir}. */
  public static LoraAdapter load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new LoraException(dir + ": not a directory (a PEFT adapter has adapter_config.json and adapter_model.safetensors)");
    }
    LoraConfig config = LoraConfig.read(dir);
    Path file = dir.resolve("adapter_model.safetensors");
    if (!Files.isRegularFile(file)) {
      throw new LoraException(file + ": no such file (adapter_model.bin is not read: convert it to safetensors)");
    }
    Map<String, float[]> as = new LinkedHashMap<>();
    Map<String, float[]> bs = new LinkedHashMap<>();
    Map<String, long[]> aShapes = new LinkedHashMap<>();
    Map<String, long[]> bShapes = new LinkedHashMap<>();
    Map<String, Replacement> replacements = new LinkedHashMap<>();
    try (SafetensorsFile st = SafetensorsFile.open(file)) {
      for (TensorInfo t : st.tensors().values()) {
        String name = t.name();
        if (!name.startsWith(PREFIX)) {
          throw new LoraException(file + ": tensor '" + name + "' is not a PEFT name (expected " + PREFIX + "...)");
        }
        String rest = name.substring(PREFIX.length());
        if (rest.contains(".lora_embedding_") || rest.contains(".lora_magnitude_vector")) {
          throw new LoraException(file + ": tensor '" + name + "': LoRA on embeddings and DoRA are not supported");
        }
        int ia = rest.indexOf(".lora_A.");
        int ib = rest.indexOf(".lora_B.");
        if (ia >= 0 || ib >= 0) {
          String module = rest.substring(0, Math.max(ia, ib));
          String tail = rest.substring(Math.max(ia, ib) + ".lora_X.".length());
          if (!tail.equals("weight") && !tail.matches("[^.]+\\.weight")) {
            throw new LoraException(file + ": tensor '" + name + "': expected ...lora_A.weight or ...lora_B.weight");
          }
          if (t.rank() != 2) {
            throw new LoraException(file + ": tensor '" + name + "' has shape " + t.shapeString() + ", expected 2 dimensions");
          }
          (ia >= 0 ? as : bs).put(module, st.toFloatArray(name));
          (ia >= 0 ? aShapes : bShapes).put(module, t.shape());
        } else {
          // modules_to_save ("lm_head.modules_to_save.default.weight" in raw state dicts) and saved biases
          String target = rest.replaceFirst("\\.modules_to_save\\.[^.]+\\.", ".");
          replacements.put(target, new Replacement(target, t.shape(), st.toFloatArray(name)));
        }
      }
    }
    Map<String, Module> modules = new LinkedHashMap<>();
    for (String module : new TreeSet<>(as.keySet())) {
      if (!bs.containsKey(module)) {
        throw new LoraException(file + ": " + PREFIX + module + ".lora_A.weight has no lora_B.weight");
      }
      long[] a = aShapes.get(module);
      long[] b = bShapes.get(module);
      int rank = config.rank(module);
      if (a[0] != rank || b[1] != rank) {
        throw new LoraException(file + ": " + PREFIX + module + ": lora_A.weight is [" + a[0] + ", " + a[1] + "] and lora_B.weight ["
            + b[0] + ", " + b[1] + "], but adapter_config.json gives rank " + rank + " (r / rank_pattern)");
      }
      modules.put(module + ".weight",
          new Module(module, rank, (int) a[1], (int) b[0], as.get(module), bs.get(module), (float) config.scale(module)));
    }
    for (String module : bs.keySet()) {
      if (!as.containsKey(module)) {
        throw new LoraException(file + ": " + PREFIX + module + ".lora_B.weight has no lora_A.weight");
      }
    }
    for (String target : config.targetModules()) {
      if (modules.values().stream().noneMatch(m -> m.module().equals(target) || m.module().endsWith("." + target))) {
        throw new LoraException(config.file() + ": target_modules lists '" + target + "' but " + file.getFileName()
            + " has no LoRA weights for it");
      }
    }
    return new LoraAdapter(dir, config, modules, replacements);
  }

  public Path directory() {
    return directory;
  }

  public LoraConfig config() {
    return config;
  }

  /** The adapted layers, by the base tensor they change ({@code <module>.weight}). */
  public Map<String, Module> modules() {
    return modules;
  }

  /** Tensors replaced whole, by base tensor name. */
  public Map<String, Replacement> replacements() {
    return replacements;
  }

  /** One line for {@code drain inspect}: e.g. {@code LoRA r=8 alpha=16 on 28 layers (q_proj, v_proj) from DIR}. */
  public String describe() {
    TreeSet<String> kinds = new TreeSet<>();
    modules.values().forEach(m -> kinds.add(m.module().substring(m.module().lastIndexOf('.') + 1)));
    return "LoRA r=" + config.r() + " alpha=" + config.alpha() + (config.useRslora() ? " rsLoRA" : "") + " on "
        + modules.size() + " layers " + kinds + (replacements.isEmpty() ? "" : ", " + replacements.size()
        + " tensors replaced " + new TreeSet<>(replacements.keySet())) + " from " + directory;
  }
}
