package tips.drain.io;

import java.util.Arrays;

/**
 * One tensor of a GGUF file as its header describes it: name, ggml type, dimensions in ggml order
 * ({@code dims[0]} is the innermost, contiguous one: a matrix of {@code rows × cols} is {@code [cols, rows]}),
 * and the offset of its data from the start of the data section.
 */
public record GgufTensorInfo(String name, GgufType type, long[] dims, long offset) {

  public GgufTensorInfo {
    dims = dims.clone();
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  /** The shape outermost first, as safetensors and PyTorch write it ({@code [rows, cols]} for a matrix). */
  public long[] shape() {
    long[] s = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      s[i] = dims[dims.length - 1 - i];
    }
    return s;
  }

  public long elementCount() {
    long n = 1;
    for (long d : dims) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Bytes of data: the rows along {@code dims[0]} in blocks of the type. */
  public long byteSize() {
    long n = dims.length == 0 ? 1 : type.rowBytes(dims[0]);
    for (int i = 1; i < dims.length; i++) {
      n = Math.multiplyExact(n, dims[i]);
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GgufTensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(dims, t.dims)
        && offset == t.offset;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return name + " " + Arrays.toString(shape()) + " " + type;
  }
}
