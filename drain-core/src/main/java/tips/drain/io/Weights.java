package tips.drain.io;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.DType;
import tips.drain.tensor.DenseMatrix;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.MatrixFormat;

/**
 * Scoped, shape-checked access to a model's tensors by their Hugging Face names:
 * {@code weights.scope("model.layers.3").scope("self_attn").matrix("q_proj.weight", 64, 64)} fails with
 * {@code model.layers.3.self_attn.q_proj.weight: expected [64, 64], got [32, 64] (F32)}.
 *
 * <p>The tensors come from a {@link TensorSource} (safetensors or GGUF). Block-quantized tensors (written by
 * {@code drain quantize}, or GGUF's Q8_0, Q4_K...) have a {@link TensorSource.BlockLayout}; in DRAIN's own files
 * the {@code __metadata__} names their format ({@value #FORMAT_KEY}NAME) and logical shape ({@value #SHAPE_KEY}NAME
 * = {@code rows,cols}). They open zero-copy through the {@link MatrixFormat} of that name.
 */
public final class Weights {
  /** Metadata key prefix naming the storage format of a quantized tensor. */
  public static final String FORMAT_KEY = "drain.format.";
  /** Metadata key prefix holding the logical {@code rows,cols} of a quantized tensor. */
  public static final String SHAPE_KEY = "drain.shape.";

  /**
   * Replaces tensors as they are looked up, e.g. with a LoRA adapter applied: given the full name and the
   * stored (shape-checked) tensor, returns the one to use, of the same shape.
   */
  public interface Overlay {
    Matrix matrix(String fullName, Matrix stored);

    float[] vector(String fullName, float[] stored);
  }

  private final TensorSource files;
  private final String prefix;
  private final Kernels kernels;
  private final Overlay overlay;

  public Weights(TensorSource files, Kernels kernels) {
    this(files, "", kernels, null);
  }

  private Weights(TensorSource files, String prefix, Kernels kernels, Overlay overlay) {
    this.files = files;
    this.prefix = prefix;
    this.kernels = kernels;
    this.overlay = overlay;
  }

  /** A view whose names are prefixed by {@code name + "."}. */
  public Weights scope(String name) {
    return new Weights(files, prefix + name + ".", kernels, overlay);
  }

  /** The same weights with every looked-up tensor passed through {@code overlay}. */
  public Weights withOverlay(Overlay overlay) {
    return new Weights(files, prefix, kernels, overlay);
  }

  public Kernels kernels() {
    return kernels;
  }

  /** The full tensor name of {@code name} in this scope. */
  public String fullName(String name) {
    return prefix + name;
  }

  public boolean has(String name) {
    return files.contains(prefix + name);
  }

  public TensorSource files() {
    return files;
  }

  /** A {@code rows × cols} weight matrix, checked against the stored shape (then passed through the overlay). */
  public Matrix matrix(String name, int rows, int cols) {
    Matrix stored = storedMatrix(name, rows, cols);
    return overlay == null ? stored : overlay.matrix(prefix + name, stored);
  }

  private Matrix storedMatrix(String name, int rows, int cols) {
    String full = prefix + name;
    TensorInfo t = files.info(full);
    TensorSource.BlockLayout block = files.blockLayout(full);
    if (block != null) {
      return quantized(full, t, block, rows, cols);
    }
    if (t.rank() != 2 || t.dim(0) != rows || t.dim(1) != cols) {
      throw mismatch(full, t, new long[] {rows, cols});
    }
    if (!t.dtype().isFloatWeight()) {
      throw new WeightException(full + ": dtype " + t.dtype() + " is not a weight type (expected F32, F16 or BF16)");
    }
    return new DenseMatrix(files.segment(full), t.dtype(), rows, cols, kernels);
  }

  private Matrix quantized(String full, TensorInfo t, TensorSource.BlockLayout block, int rows, int cols) {
    String formatName = block.format();
    MatrixFormat format = MatrixFormat.byName(formatName).orElseThrow(() -> new WeightException(
        files.location() + ": tensor '" + files.storedName(full) + "' has type " + formatName
            + ", which this build does not support" + supportedFormats()));
    long[] shape = block.shape();
    if (shape.length != 2 || shape[0] != rows || shape[1] != cols) {
      throw new WeightException(full + ": expected [" + rows + ", " + cols + "], got " + Arrays.toString(shape) + " (" + formatName + ")");
    }
    if (!format.supports(cols)) {
      throw new WeightException(full + ": " + formatName + " cannot hold rows of " + cols + " values");
    }
    long bytes = format.byteSize(rows, cols);
    if (t.byteSize() != bytes) {
      throw new WeightException(full + ": " + formatName + " [" + rows + ", " + cols + "] needs " + bytes
          + " bytes, the file holds " + t.byteSize());
    }
    return format.open(files.segment(full), rows, cols);
  }

  private static String supportedFormats() {
    List<String> names = new ArrayList<>();
    java.util.ServiceLoader.load(MatrixFormat.class).forEach(f -> names.add(f.name()));
    return names.isEmpty() ? " (block formats come from drain-quant, which is not on the class path)"
        : " (block formats here: " + String.join(", ", names) + ")";
  }

  /**
   * Splits the fused projection {@code name} ({@code sum(rowCounts) × cols}) into consecutive row blocks of
   * {@code rowCounts[i]} rows, as views sharing its storage (Phi-3's {@code qkv_proj}, {@code gate_up_proj}).
   */
  public List<Matrix> rowBlocks(String name, int cols, int... rowCounts) {
    int total = 0;
    for (int n : rowCounts) {
      total += n;
    }
    Matrix fused = matrix(name, total, cols);
    List<Matrix> blocks = new ArrayList<>(rowCounts.length);
    int from = 0;
    for (int n : rowCounts) {
      blocks.add(rowRange(prefix + name, fused, from, from + n));
      from += n;
    }
    return blocks;
  }

  private Matrix rowRange(String full, Matrix fused, int from, int to) {
    try {
      return fused.rowRange(from, to);
    } catch (UnsupportedOperationException e) {
      TensorSource.BlockLayout block = files.blockLayout(full);
      MatrixFormat format = block == null ? null : MatrixFormat.byName(block.format()).orElse(null);
      if (format != null && fused.format().equalsIgnoreCase(format.name())
          && format.byteSize(fused.rows(), fused.cols()) == fused.rows() * format.byteSize(1, fused.cols())) {
        // a block format opened from the file stores whole rows one after another: open a slice of the bytes
        long rowBytes = format.byteSize(1, fused.cols());
        MemorySegment rows = files.segment(full).asSlice(from * rowBytes, (to - from) * rowBytes);
        return format.open(rows, to - from, fused.cols());
      }
      throw new WeightException(full + ": cannot split " + fused.format() + " storage into row blocks");
    }
  }

  /** A vector of {@code n} floats (norm weights, biases), converted from the stored float type. */
  public float[] vector(String name, int n) {
    String full = prefix + name;
    TensorInfo t = files.info(full);
    if (t.rank() != 1 || t.dim(0) != n) {
      throw mismatch(full, t, new long[] {n});
    }
    float[] stored = files.toFloatArray(full);
    return overlay == null ? stored : overlay.vector(full, stored);
  }

  /**
   * A tensor of any rank as floats, checked against {@code shape} (e.g. GPT-OSS's experts stacked into
   * {@code [experts, hidden, 2·ffn]}), converted from the stored float type. Not passed through the overlay.
   */
  public float[] floats(String name, long... shape) {
    String full = prefix + name;
    TensorInfo t = files.info(full);
    boolean same = t.rank() == shape.length;
    for (int i = 0; same && i < shape.length; i++) {
      same = t.dim(i) == shape[i];
    }
    if (!same) {
      throw mismatch(full, t, shape);
    }
    if (!t.dtype().isFloatWeight()) {
      throw new WeightException(full + ": dtype " + t.dtype() + " is not a weight type (expected F32, F16 or BF16)");
    }
    return files.toFloatArray(full);
  }

  /** A U8 tensor's bytes in place, checked against {@code shape} (e.g. GPT-OSS's MXFP4 {@code *_blocks}, {@code *_scales}). */
  public MemorySegment bytes(String name, long... shape) {
    String full = prefix + name;
    TensorInfo t = files.info(full);
    boolean same = t.rank() == shape.length && t.dtype() == DType.U8;
    for (int i = 0; same && i < shape.length; i++) {
      same = t.dim(i) == shape[i];
    }
    if (!same) {
      throw new WeightException(full + ": expected U8 " + Arrays.toString(shape) + ", got " + t.shapeString() + " ("
          + t.dtype() + ")");
    }
    return files.segment(full);
  }

  private static WeightException mismatch(String name, TensorInfo t, long[] expected) {
    return new WeightException(name + ": expected " + Arrays.toString(expected) + ", got " + t.shapeString()
        + " (" + t.dtype() + ")");
  }
}
