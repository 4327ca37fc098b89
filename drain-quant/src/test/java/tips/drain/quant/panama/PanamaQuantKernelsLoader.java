package tips.drain.quant.panama;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tips.drain.quant.QuantKernels;
import tips.drain.testing.panama.VectorWidths;

/** The quantized panama kernels at every vector width this CPU can run, in one JVM (see {@link VectorWidths}). */
final class PanamaQuantKernelsLoader {
  private static final Map<Integer, QuantKernels> BY_BITS = new ConcurrentHashMap<>();

  private PanamaQuantKernelsLoader() {}

  /** 512 (where the CPU has it), 256 and 128: the widest first. */
  static List<Integer> widths() {
    return VectorWidths.widths();
  }

  /** The kernels compiled for {@code bits}-wide vectors. */
  static QuantKernels load(int bits) {
    return BY_BITS.computeIfAbsent(bits, b -> {
      QuantKernels k = VectorWidths.load(QuantKernels.class, PanamaQuantKernels.class.getName(),
          PanamaQuantSpecies.class.getName(), b, PanamaQuantKernelsLoader.class.getClassLoader());
      if (!k.name().equals("panama-" + b)) {
        throw new IllegalStateException("asked for " + b + "-bit kernels, got " + k.name());
      }
      return k;
    });
  }
}
