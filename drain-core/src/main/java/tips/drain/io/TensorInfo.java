package tips.drain.io;

import java.util.Arrays;
import tips.drain.tensor.DType;

/**
 * One tensor entry of a safetensors header: its name, dtype, shape and the byte range of its data
 * relative to the start of the data section.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

  public TensorInfo {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** Size of dimension {@code i}. */
  public long dim(int i) {
    return shape[i];
  }

  /** Number of elements (1 for a scalar). */
  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public long byteSize() {
    return end - begin;
  }

  /** The shape as {@code [2048, 5632]}. */
  public String shapeString() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
        && begin == t.begin && end == t.end;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + shapeString() + " " + dtype;
  }
}
