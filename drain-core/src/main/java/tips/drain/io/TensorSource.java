package tips.drain.io;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a model's tensors come from, by their Hugging Face names: safetensors files ({@link ModelFiles}) or a
 * GGUF file mapped to those names. {@link Weights} reads every model through this one interface, so each
 * family's loader serves both formats.
 */
public interface TensorSource extends AutoCloseable {

  /**
   * A tensor stored in a block format (DRAIN's quantized files, GGUF's Q8_0, Q4_K...): the format's name, as
   * {@link tips.drain.tensor.MatrixFormat#byName} finds it, and the logical shape ({@code [rows, cols]}).
   */
  record BlockLayout(String format, long[] shape) {
    public BlockLayout {
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }
  }

  /** The directory or file the tensors come from, for messages. */
  Path location();

  /** Every tensor, in storage order. A block-format tensor is listed as its bytes (U8) and has a {@link #blockLayout}. */
  List<TensorInfo> tensors();

  boolean contains(String name);

  /** The entry of tensor {@code name}, or a {@link WeightException} naming the source. */
  TensorInfo info(String name);

  /** The tensor's bytes, valid until the source is closed. */
  MemorySegment segment(String name);

  /** The block format and logical shape of tensor {@code name}, or null when it is stored densely. */
  BlockLayout blockLayout(String name);

  /** The tensor (a float type) converted to a new float array: for small tensors such as norms. */
  default float[] toFloatArray(String name) {
    return TensorFloats.toFloatArray(segment(name), info(name), location().toString());
  }

  /** Converts {@code segment}, the bytes of float tensor {@code info}, to floats; {@code source} names it in errors. */
  static float[] floats(MemorySegment segment, TensorInfo info, String source) {
    return TensorFloats.toFloatArray(segment, info, source);
  }

  /**
   * How the stored file names tensor {@code name}, for messages: the name itself, or e.g. GGUF's
   * {@code blk.0.attn_q.weight} for {@code model.layers.0.self_attn.q_proj.weight}.
   */
  default String storedName(String name) {
    return name;
  }

  /** Total bytes of tensor data. */
  default long dataBytes() {
    long n = 0;
    for (TensorInfo t : tensors()) {
      n += t.byteSize();
    }
    return n;
  }

  @Override
  void close();
}
