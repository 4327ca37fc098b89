package tips.drain.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Chooses the kernels for this JVM, once, like Lucene's {@code VectorizationProvider}: the Vector API
 * implementation ({@code tips.drain.kernel.panama.PanamaKernels}, loaded reflectively) when the
 * {@code jdk.incubator.vector} module is present, otherwise {@link ScalarKernels} with one warning.
 *
 * <p>{@code -Ddrain.kernels=scalar|panama|auto} forces a choice; {@code panama} fails loudly when the module
 * is missing instead of falling back.
 */
public final class KernelProvider {
  private static final Logger LOG = Logger.getLogger(KernelProvider.class.getName());
  static final String PANAMA_CLASS = "tips.drain.kernel.panama.PanamaKernels";

  private KernelProvider() {}

  /** The kernels chosen for this JVM (decided once). */
  public static Kernels kernels() {
    return Holder.INSTANCE;
  }

  /** True when the Vector API kernels are in use. */
  public static boolean isVectorized() {
    return !(kernels() instanceof ScalarKernels);
  }

  private static final class Holder {
    static final Kernels INSTANCE = lookup(System.getProperty("drain.kernels", "auto"));
  }

  static Kernels lookup(String choice) {
    return choose(choice, Kernels.class, PANAMA_CLASS, ScalarKernels::new, () -> LOG.warning(
        "Java Vector API is not enabled; DRAIN runs on its scalar kernels, several times slower. "
            + "Add the JVM option --add-modules jdk.incubator.vector to use SIMD kernels."));
  }

  /**
   * The choice every kernel family of DRAIN makes (drain-quant's too): {@code scalar}, {@code panama} (fails
   * loudly without the module) or {@code auto} (the Vector API implementation when the module is present, else
   * the scalar one after {@code onFallback}).
   *
   * @param choice the value of {@code -Ddrain.kernels}
   * @param panamaClass a public class with a public no-arg constructor, loaded reflectively so that nothing
   *     outside it needs the incubator module
   */
  public static <T> T choose(String choice, Class<T> type, String panamaClass, Supplier<T> scalar, Runnable onFallback) {
    String mode = choice.trim().toLowerCase(Locale.ROOT);
    switch (mode) {
      case "scalar":
        return scalar.get();
      case "panama":
        if (!vectorModulePresent()) {
          throw new IllegalStateException(
              "-Ddrain.kernels=panama needs the Vector API: run java with --add-modules jdk.incubator.vector");
        }
        return load(type, panamaClass);
      case "auto":
        if (!vectorModulePresent()) {
          onFallback.run();
          return scalar.get();
        }
        return load(type, panamaClass);
      default:
        throw new IllegalArgumentException("-Ddrain.kernels must be auto, scalar or panama, not '" + choice + "'");
    }
  }

  static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  private static <T> T load(Class<T> type, String className) {
    try {
      Class<?> cls = Class.forName(className);
      return type.cast(MethodHandles.publicLookup().findConstructor(cls, MethodType.methodType(void.class)).invoke());
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cannot create " + className, t);
    }
  }
}
