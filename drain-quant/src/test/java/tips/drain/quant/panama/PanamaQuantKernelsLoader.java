package tips.drain.quant.panama;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.VectorShape;
import tips.drain.quant.QuantKernels;

/**
 * Gives the quantized panama kernels at every vector width this CPU can run, in one JVM, as core's
 * {@code PanamaKernelsLoader} does: each width gets its own copy of the {@code tips.drain.quant.panama}
 * classes, defined by a child-first class loader while {@code drain.vectorBits} names that width.
 */
final class PanamaQuantKernelsLoader {
  private static final String PACKAGE = "tips.drain.quant.panama.";
  private static final Map<Integer, QuantKernels> BY_BITS = new ConcurrentHashMap<>();

  private PanamaQuantKernelsLoader() {}

  /** 512 (where the CPU has it), 256 and 128: the widest first. */
  static List<Integer> widths() {
    int preferred = VectorShape.preferredShape().vectorBitSize();
    List<Integer> widths = new ArrayList<>();
    for (int bits : new int[] {512, 256, 128}) {
      if (bits <= preferred) {
        widths.add(bits);
      }
    }
    return widths;
  }

  /** The kernels compiled for {@code bits}-wide vectors. */
  static QuantKernels load(int bits) {
    return BY_BITS.computeIfAbsent(bits, PanamaQuantKernelsLoader::define);
  }

  private static synchronized QuantKernels define(int bits) {
    String previous = System.getProperty("drain.vectorBits");
    System.setProperty("drain.vectorBits", Integer.toString(bits));
    try {
      ClassLoader loader = new ChildFirst(bits, PanamaQuantKernelsLoader.class.getClassLoader());
      Class.forName(PACKAGE + "PanamaQuantSpecies", true, loader);
      QuantKernels kernels = (QuantKernels) Class.forName(PACKAGE + "PanamaQuantKernels", true, loader)
          .getConstructor().newInstance();
      if (!kernels.name().equals("panama-" + bits)) {
        throw new IllegalStateException("asked for " + bits + "-bit kernels, got " + kernels.name());
      }
      return kernels;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    } finally {
      if (previous == null) {
        System.clearProperty("drain.vectorBits");
      } else {
        System.setProperty("drain.vectorBits", previous);
      }
    }
  }

  /** Defines the main classes of the panama package itself; everything else comes from the parent. */
  private static final class ChildFirst extends ClassLoader {
    ChildFirst(int bits, ClassLoader parent) {
      super("drain-quant-panama-" + bits, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith(PACKAGE)) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          String resource = name.replace('.', '/') + ".class";
          try (InputStream in = getParent().getResourceAsStream(resource)) {
            if (in == null) {
              throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            c = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }
}
