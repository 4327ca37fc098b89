package tips.drain.tensor;

/** Conversions between float and the 16-bit float formats (F16 is in the JDK; BF16 is the top half of F32). */
public final class Floats {
  private Floats() {}

  /** BF16 bits (as a short) to float: the 16 bits become the high half of an F32. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** Float to BF16 bits, rounding to nearest even (as PyTorch does); NaN stays NaN. */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /** Float to F16 bits, rounding to nearest even. */
  public static short floatToF16(float value) {
    return Float.floatToFloat16(value);
  }
}
