package tips.drain.tensor;

import java.util.Optional;

/** Element types of stored tensors, named as in safetensors. Layout only: name and bytes per element. */
public enum DType {
  F64("F64", 8),
  F32("F32", 4),
  F16("F16", 2),
  BF16("BF16", 2),
  I64("I64", 8),
  I32("I32", 4),
  I16("I16", 2),
  I8("I8", 1),
  U8("U8", 1),
  BOOL("BOOL", 1);

  private final String safetensorsName;
  private final int bytes;

  DType(String safetensorsName, int bytes) {
    this.safetensorsName = safetensorsName;
    this.bytes = bytes;
  }

  /** The dtype string used in a safetensors header, e.g. {@code "BF16"}. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** True for the floating point types a weight matrix can be stored in (F32, F16, BF16). */
  public boolean isFloatWeight() {
    return this == F32 || this == F16 || this == BF16;
  }

  public static Optional<DType> fromSafetensorsName(String name) {
    for (DType t : values()) {
      if (t.safetensorsName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
