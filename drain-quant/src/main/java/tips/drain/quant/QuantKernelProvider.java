package tips.drain.quant;

import java.util.logging.Logger;
import tips.drain.kernel.KernelProvider;

/**
 * Chooses the quantized kernels for this JVM, once, as core's {@code KernelProvider} does: the Vector API
 * implementation ({@code tips.drain.quant.panama.PanamaQuantKernels}, loaded reflectively) when the
 * {@code jdk.incubator.vector} module is present, otherwise {@link ScalarQuantKernels}.
 *
 * <p>Honors the same switch, {@code -Ddrain.kernels=scalar|panama|auto}; {@code panama} fails loudly when the
 * module is missing. The missing-module warning is core's to log, so this class logs only at fine level.
 */
public final class QuantKernelProvider {
  private static final Logger LOG = Logger.getLogger(QuantKernelProvider.class.getName());
  static final String PANAMA_CLASS = "tips.drain.quant.panama.PanamaQuantKernels";

  private QuantKernelProvider() {}

  /** The kernels chosen for this JVM (decided once). */
  public static QuantKernels kernels() {
    return Holder.INSTANCE;
  }

  private static final class Holder {
    static final QuantKernels INSTANCE = lookup(System.getProperty("drain.kernels", "auto"));
  }

  static QuantKernels lookup(String choice) {
    return KernelProvider.choose(choice, QuantKernels.class, PANAMA_CLASS, ScalarQuantKernels::new,
        () -> LOG.fine("jdk.incubator.vector is not enabled: quantized matrices use the scalar kernels"));
  }
}
