package tips.drain.lora;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tips.drain.io.ModelFiles;
import tips.drain.io.SafetensorsWriter;
import tips.drain.io.TensorInfo;
import tips.drain.io.Weights;
import tips.drain.kernel.Kernels;
import tips.drain.kernel.ScalarKernels;
import tips.drain.tensor.DType;
import tips.drain.tensor.DenseMatrix;
import tips.drain.tensor.Floats;
import tips.drain.tensor.Matrix;

/**
 * Merging LoRA adapters into base weights, as PEFT's {@code merge_and_unload}: {@code W' = W + (B·A) * scale},
 * computed in float and stored in the base's dtype (F32, F16 or BF16). Merging happens before any
 * quantization: a quantized base cannot be merged into.
 */
public final class LoraMerge {
  private LoraMerge() {}

  /** {@code stored + scale·B·A} as a new dense matrix of {@code stored}'s dtype (in memory). */
  public static DenseMatrix merge(Matrix stored, LoraAdapter.Module lora, String name, Kernels kernels) {
    if (!(stored instanceof DenseMatrix dense)) {
      throw new LoraException(name + ": cannot merge a LoRA adapter into " + stored.format()
          + " weights; merge before quantizing (drain merge), or apply the adapter at run time");
    }
    int rows = dense.rows();
    int cols = dense.cols();
    DType dtype = dense.dtype();
    MemorySegment out = Arena.ofAuto().allocate((long) rows * cols * dtype.bytes(), 64);
    float[] row = new float[cols];
    float[] delta = new float[cols];
    for (int r = 0; r < rows; r++) {
      dense.readRow(r, row, 0);
      lora.deltaRow(r, delta);
      for (int j = 0; j < cols; j++) {
        put(out, dtype, (long) r * cols + j, row[j] + delta[j]);
      }
    }
    return new DenseMatrix(out, dtype, rows, cols, kernels);
  }

  private static void put(MemorySegment s, DType dtype, long index, float value) {
    switch (dtype) {
      case F32 -> s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 4 * index, value);
      case BF16 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * index, Floats.floatToBf16(value));
      case F16 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * index, Float.floatToFloat16(value));
      default -> throw new AssertionError(dtype);
    }
  }

  /** {@code values} stored as {@code dtype}, little-endian. */
  static MemorySegment encode(float[] values, DType dtype) {
    MemorySegment out = Arena.ofAuto().allocate((long) values.length * dtype.bytes(), 8);
    for (int i = 0; i < values.length; i++) {
      put(out, dtype, i, values[i]);
    }
    return out;
  }

  /**
   * Writes the base model in {@code baseDir} with the adapter in {@code adapterDir} merged into
   * {@code outDir}, in Hugging Face layout: every file but the weights copied (config, tokenizer, generation
   * config), and one {@code model.safetensors} holding every base tensor, merged where the adapter changes it,
   * in the base's dtype.
   *
   * @throws LoraException if the adapter does not fit the base (unknown module, wrong shape, quantized base)
   */
  public static void write(Path baseDir, Path adapterDir, Path outDir) {
    LoraAdapter adapter = LoraAdapter.load(adapterDir);
    try {
      Files.createDirectories(outDir);
      if (Files.isSameFile(baseDir, outDir)) {
        throw new LoraException(outDir + ": the merged model must go to another directory than the base");
      }
    } catch (IOException e) {
      throw new LoraException(outDir + ": cannot create: " + e.getMessage(), e);
    }
    try (ModelFiles files = ModelFiles.open(baseDir)) {
      SafetensorsWriter writer = new SafetensorsWriter();
      Set<String> used = new HashSet<>();
      for (TensorInfo t : files.tensors()) {
        String name = t.name();
        LoraAdapter.Module lora = adapter.modules().get(name);
        LoraAdapter.Replacement replacement = adapter.replacements().get(name);
        if (lora == null && replacement == null) {
          writer.add(name, t.dtype(), t.shape(), files.segment(name));
          continue;
        }
        if (files.metadata(Weights.FORMAT_KEY + name) != null || !t.dtype().isFloatWeight()) {
          throw new LoraException(baseDir + ": " + name + " is stored as " + t.dtype() + " (quantized?): merge the adapter into "
              + "the original F32/F16/BF16 model, then quantize");
        }
        used.add(name);
        if (replacement != null) {
          if (!Arrays.equals(replacement.shape(), t.shape())) {
            throw Adapters.shapeMismatch(adapter, name, replacement.shape(), t.shape());
          }
          writer.add(name, t.dtype(), t.shape(), encode(replacement.values(), t.dtype()));
        } else {
          if (t.rank() != 2 || t.dim(0) != lora.out() || t.dim(1) != lora.in()) {
            throw Adapters.shapeMismatch(adapter, name, new long[] {lora.out(), lora.in()}, t.shape());
          }
          Kernels kernels = new ScalarKernels();
          DenseMatrix base = new DenseMatrix(files.segment(name), t.dtype(), lora.out(), lora.in(), kernels);
          writer.add(name, t.dtype(), t.shape(), merge(base, lora, name, kernels).data());
        }
      }
      Adapters.requireAllUsed(adapter, used, files.tensors().stream().map(TensorInfo::name).toList());
      copyOtherFiles(baseDir, outDir);
      writer.write(outDir.resolve("model.safetensors"));
    }
  }

  /** Weight files of any format and their shard indexes: not copied, the merged safetensors replaces them. */
  private static final Pattern WEIGHT_FILE = Pattern.compile(".*\\.(safetensors|bin|pt|pth|ckpt|gguf|h5|msgpack)|.*index\\.json");

  /** Copies config, tokenizer and other files (everything but weight files). */
  private static void copyOtherFiles(Path baseDir, Path outDir) {
    try (Stream<Path> s = Files.list(baseDir)) {
      List<Path> files = s.filter(Files::isRegularFile).toList();
      for (Path p : files) {
        String n = p.getFileName().toString();
        if (WEIGHT_FILE.matcher(n).matches()) {
          continue;
        }
        Files.copy(p, outDir.resolve(n), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new LoraException(baseDir + ": cannot copy the model files to " + outDir + ": " + e.getMessage(), e);
    }
  }
}
