package tips.drain.quant;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.logging.Logger;

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
    String mode = choice.trim().toLowerCase(Locale.ROOT);
    switch (mode) {
      case "scalar":
        return new ScalarQuantKernels();
      case "panama":
        if (!vectorModulePresent()) {
          throw new IllegalStateException(
              "-Ddrain.kernels=panama needs the Vector API: run java with --add-modules jdk.incubator.vector");
        }
        return loadPanama();
      case "auto":
        if (!vectorModulePresent()) {
          LOG.fine("jdk.incubator.vector is not enabled: quantized matrices use the scalar kernels");
          return new ScalarQuantKernels();
        }
        return loadPanama();
      default:
        throw new IllegalArgumentException("-Ddrain.kernels must be auto, scalar or panama, not '" + choice + "'");
    }
  }

  static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  private static QuantKernels loadPanama() {
    try {
      Class<?> cls = Class.forName(PANAMA_CLASS);
      return (QuantKernels) MethodHandles.lookup().findConstructor(cls, MethodType.methodType(void.class)).invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cannot create " + PANAMA_CLASS, t);
    }
  }
}
