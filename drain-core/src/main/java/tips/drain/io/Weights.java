package tips.drain.io;

import java.util.Arrays;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.DenseMatrix;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.MatrixFormat;

/**
 * Scoped, shape-checked access to a model's tensors by their Hugging Face names:
 * {@code weights.scope("model.layers.3").scope("self_attn").matrix("q_proj.weight", 64, 64)} fails with
 * {@code model.layers.3.self_attn.q_proj.weight: expected [64, 64], got [32, 64] (F32)}.
 *
 * <p>Block-quantized tensors (written by {@code drain quantize}) are stored as U8 bytes; the file's
 * {@code __metadata__} names their format ({@value #FORMAT_KEY}NAME) and logical shape ({@value #SHAPE_KEY}NAME =
 * {@code rows,cols}), and they open zero-copy through {@link MatrixFormat}.
 */
public final class Weights {
  /** Metadata key prefix naming the storage format of a quantized tensor. */
  public static final String FORMAT_KEY = "drain.format.";
  /** Metadata key prefix holding the logical {@code rows,cols} of a quantized tensor. */
  public static final String SHAPE_KEY = "drain.shape.";

  private final ModelFiles files;
  private final String prefix;
  private final Kernels kernels;

  public Weights(ModelFiles files, Kernels kernels) {
    this(files, "", kernels);
  }

  private Weights(ModelFiles files, String prefix, Kernels kernels) {
    this.files = files;
    this.prefix = prefix;
    this.kernels = kernels;
  }

  /** A view whose names are prefixed by {@code name + "."}. */
  public Weights scope(String name) {
    return new Weights(files, prefix + name + ".", kernels);
  }

  /** The full tensor name of {@code name} in this scope. */
  public String fullName(String name) {
    return prefix + name;
  }

  public boolean has(String name) {
    return files.contains(prefix + name);
  }

  public ModelFiles files() {
    return files;
  }

  /** A {@code rows × cols} weight matrix, checked against the stored shape. */
  public Matrix matrix(String name, int rows, int cols) {
    String full = prefix + name;
    TensorInfo t = files.info(full);
    String format = files.metadata(FORMAT_KEY + full);
    if (format != null) {
      return quantized(full, t, format, rows, cols);
    }
    if (t.rank() != 2 || t.dim(0) != rows || t.dim(1) != cols) {
      throw mismatch(full, t, new long[] {rows, cols});
    }
    if (!t.dtype().isFloatWeight()) {
      throw new WeightException(full + ": dtype " + t.dtype() + " is not a weight type (expected F32, F16 or BF16)");
    }
    return new DenseMatrix(files.segment(full), t.dtype(), rows, cols, kernels);
  }

  private Matrix quantized(String full, TensorInfo t, String formatName, int rows, int cols) {
    MatrixFormat format = MatrixFormat.byName(formatName).orElseThrow(() -> new WeightException(
        full + ": stored as " + formatName + ", but no implementation of that format is on the class path (add drain-quant)"));
    String shape = files.metadata(SHAPE_KEY + full);
    String expectedShape = rows + "," + cols;
    if (!expectedShape.equals(shape)) {
      throw new WeightException(full + ": expected [" + rows + ", " + cols + "], got [" + shape + "] (" + formatName + ")");
    }
    long bytes = format.byteSize(rows, cols);
    if (t.byteSize() != bytes) {
      throw new WeightException(full + ": " + formatName + " [" + rows + ", " + cols + "] needs " + bytes
          + " bytes, the file holds " + t.byteSize());
    }
    return format.open(files.segment(full), rows, cols);
  }

  /** A vector of {@code n} floats (norm weights, biases), converted from the stored float type. */
  public float[] vector(String name, int n) {
    String full = prefix + name;
    TensorInfo t = files.info(full);
    if (t.rank() != 1 || t.dim(0) != n) {
      throw mismatch(full, t, new long[] {n});
    }
    return files.toFloatArray(full);
  }

  private static WeightException mismatch(String name, TensorInfo t, long[] expected) {
    return new WeightException(name + ": expected " + Arrays.toString(expected) + ", got " + t.shapeString()
        + " (" + t.dtype() + ")");
  }
}
