package tips.drain.kernel.panama;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tips.drain.kernel.Kernels;
import tips.drain.testing.panama.VectorWidths;

/** The panama kernels at every vector width this CPU can run, in one JVM (see {@link VectorWidths}). */
final class PanamaKernelsLoader {
  private static final Map<Integer, Kernels> BY_BITS = new ConcurrentHashMap<>();

  private PanamaKernelsLoader() {}

  /** 512 (where the CPU has it), 256 and 128: the widest first. */
  static List<Integer> widths() {
    return VectorWidths.widths();
  }

  /** The kernels compiled for {@code bits}-wide vectors. */
  static Kernels load(int bits) {
    return BY_BITS.computeIfAbsent(bits, b -> {
      Kernels k = VectorWidths.load(Kernels.class, PanamaKernels.class.getName(), PanamaSpecies.class.getName(), b,
          PanamaKernelsLoader.class.getClassLoader());
      if (!k.name().equals("panama-" + b)) {
        throw new IllegalStateException("asked for " + b + "-bit kernels, got " + k.name());
      }
      return k;
    });
  }
}
