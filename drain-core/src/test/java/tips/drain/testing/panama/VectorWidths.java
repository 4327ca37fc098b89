package tips.drain.testing.panama;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.VectorShape;

/**
 * Loads a panama package's kernels at any vector width in one JVM. Species are {@code static final} constants
 * (C2 vectorizes only those), so each width gets its own copy of the package's classes, defined by a
 * child-first class loader while {@code drain.vectorBits} names that width. Used by the kernel tests of
 * drain-core and drain-quant.
 */
public final class VectorWidths {
  private VectorWidths() {}

  /** 512 (where the CPU has it), 256 and 128: the widest first. */
  public static List<Integer> widths() {
    int preferred = VectorShape.preferredShape().vectorBitSize();
    List<Integer> widths = new ArrayList<>();
    for (int bits : new int[] {512, 256, 128}) {
      if (bits <= preferred) {
        widths.add(bits);
      }
    }
    return widths;
  }

  /**
   * A new instance of {@code kernelsClass} (public, no-arg constructor) from a fresh copy of its package
   * compiled for {@code bits}-wide vectors; {@code speciesClass} is initialized first, under that width.
   */
  public static synchronized <T> T load(Class<T> type, String kernelsClass, String speciesClass, int bits, ClassLoader parent) {
    String pkg = kernelsClass.substring(0, kernelsClass.lastIndexOf('.') + 1);
    String previous = System.getProperty("drain.vectorBits");
    System.setProperty("drain.vectorBits", Integer.toString(bits));
    try {
      ClassLoader loader = new ChildFirst(pkg, bits, parent);
      Class.forName(speciesClass, true, loader);
      return type.cast(Class.forName(kernelsClass, true, loader).getConstructor().newInstance());
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

  /** Defines the classes of one package itself; everything else comes from the parent. */
  private static final class ChildFirst extends ClassLoader {
    private final String pkg;

    ChildFirst(String pkg, int bits, ClassLoader parent) {
      super(pkg + bits, parent);
      this.pkg = pkg;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith(pkg)) {
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
