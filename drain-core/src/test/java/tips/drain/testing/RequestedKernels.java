package tips.drain.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import tips.drain.kernel.KernelProvider;

/** Checks that a test runs on the kernels its surefire execution asks for ({@code -Ddrain.kernels}). */
public final class RequestedKernels {
  private RequestedKernels() {}

  /** Fails unless {@code kernelsName} (a model's kernels) are the requested ones. */
  public static void assertInUse(String kernelsName) {
    String requested = System.getProperty("drain.kernels", "auto");
    if (requested.equals("scalar")) {
      assertEquals("scalar", kernelsName);
    } else if (requested.equals("panama")) {
      assertTrue(KernelProvider.isVectorized(), "panama kernels requested");
      assertTrue(kernelsName.startsWith("panama"), kernelsName);
    }
  }
}
