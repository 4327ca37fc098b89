package tips.drain.io;

import java.util.Optional;

/**
 * The value types of GGUF metadata ({@code gguf_type}). Integers are read as {@code Long}, FLOAT32 as
 * {@code Float}, FLOAT64 as {@code Double}, BOOL as {@code Boolean}, STRING as {@code String}, and ARRAY as a
 * {@link GgufArray} (arrays may nest).
 */
public enum GgufValueType {
  UINT8(0, 1),
  INT8(1, 1),
  UINT16(2, 2),
  INT16(3, 2),
  UINT32(4, 4),
  INT32(5, 4),
  FLOAT32(6, 4),
  BOOL(7, 1),
  STRING(8, 8),
  ARRAY(9, 12),
  UINT64(10, 8),
  INT64(11, 8),
  FLOAT64(12, 8);

  private final int id;
  private final int minBytes;

  GgufValueType(int id, int minBytes) {
    this.id = id;
    this.minBytes = minBytes;
  }

  public int id() {
    return id;
  }

  /** The fewest bytes one value of this type takes in a file (a string's or array's length fields). */
  public int minBytes() {
    return minBytes;
  }

  public boolean isInteger() {
    return this != FLOAT32 && this != FLOAT64 && this != BOOL && this != STRING && this != ARRAY;
  }

  public static Optional<GgufValueType> ofId(long id) {
    for (GgufValueType t : values()) {
      if (t.id == id) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
