package tips.drain.io;

import java.util.Optional;
import tips.drain.tensor.DType;

/**
 * The tensor types of ggml (its {@code ggml_type} ids), with the block layout a GGUF file needs to size a
 * tensor: values per block along the first dimension and bytes per block. The float and integer types are
 * dense ({@link #dtype()}); the others are block formats, served by the {@link tips.drain.tensor.MatrixFormat}
 * of the same name when one is on the class path. Ids ggml has retired (4, 5, 31–33, 36–38) are unknown.
 */
public enum GgufType {
  F32(0, 1, 4, DType.F32),
  F16(1, 1, 2, DType.F16),
  Q4_0(2, 32, 18, null),
  Q4_1(3, 32, 20, null),
  Q5_0(6, 32, 22, null),
  Q5_1(7, 32, 24, null),
  Q8_0(8, 32, 34, null),
  Q8_1(9, 32, 36, null),
  Q2_K(10, 256, 84, null),
  Q3_K(11, 256, 110, null),
  Q4_K(12, 256, 144, null),
  Q5_K(13, 256, 176, null),
  Q6_K(14, 256, 210, null),
  Q8_K(15, 256, 292, null),
  IQ2_XXS(16, 256, 66, null),
  IQ2_XS(17, 256, 74, null),
  IQ3_XXS(18, 256, 98, null),
  IQ1_S(19, 256, 50, null),
  IQ4_NL(20, 32, 18, null),
  IQ3_S(21, 256, 110, null),
  IQ2_S(22, 256, 82, null),
  IQ4_XS(23, 256, 136, null),
  I8(24, 1, 1, DType.I8),
  I16(25, 1, 2, DType.I16),
  I32(26, 1, 4, DType.I32),
  I64(27, 1, 8, DType.I64),
  F64(28, 1, 8, DType.F64),
  IQ1_M(29, 256, 56, null),
  BF16(30, 1, 2, DType.BF16),
  TQ1_0(34, 256, 54, null),
  TQ2_0(35, 256, 66, null),
  MXFP4(39, 32, 17, null);

  private final int id;
  private final int blockSize;
  private final int blockBytes;
  private final DType dtype;

  GgufType(int id, int blockSize, int blockBytes, DType dtype) {
    this.id = id;
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
    this.dtype = dtype;
  }

  /** The {@code ggml_type} id stored in a tensor info. */
  public int id() {
    return id;
  }

  /** Values per block (1 for the dense types); the first dimension must be a multiple of it. */
  public int blockSize() {
    return blockSize;
  }

  /** Bytes per block. */
  public int blockBytes() {
    return blockBytes;
  }

  /** The element type of a dense tensor, or null for a block format. */
  public DType dtype() {
    return dtype;
  }

  public boolean isBlockFormat() {
    return dtype == null;
  }

  /** Bytes of {@code values} values along the first dimension; requires a multiple of {@link #blockSize()}. */
  public long rowBytes(long values) {
    return values / blockSize * blockBytes;
  }

  /** The type of ggml id {@code id}, if it is one this enum knows. */
  public static Optional<GgufType> ofId(long id) {
    for (GgufType t : values()) {
      if (t.id == id) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
