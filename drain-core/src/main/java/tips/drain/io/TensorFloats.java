package tips.drain.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import tips.drain.tensor.Floats;

/** Converts a stored float tensor (F32, F16, BF16, F64) to a float array. */
final class TensorFloats {
  private TensorFloats() {}

  static float[] toFloatArray(MemorySegment s, TensorInfo t, String source) {
    long n = t.elementCount();
    if (n > Integer.MAX_VALUE - 8) {
      throw new WeightException(source + ": tensor '" + t.name() + "' is too large for a float array (" + n + " elements)");
    }
    float[] out = new float[(int) n];
    switch (t.dtype()) {
      case F32 -> MemorySegment.copy(s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, out.length);
      case BF16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Floats.bf16ToFloat(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i));
        }
      }
      case F16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.float16ToFloat(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i));
        }
      }
      case F64 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) s.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, 8L * i);
        }
      }
      default -> throw new WeightException(source + ": tensor '" + t.name() + "' is " + t.dtype() + ", expected a float type");
    }
    return out;
  }
}
