package tips.drain.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code -Ddrain.kernels} decides the kernels; both surefire executions run this. */
@Tag("kernels")
class KernelProviderTest {

  @Test
  void scalarIsAlwaysAvailable() {
    assertInstanceOf(ScalarKernels.class, KernelProvider.lookup("scalar"));
    assertEquals("scalar", KernelProvider.lookup(" Scalar ").name());
  }

  @Test
  void honoursTheSystemPropertyOfThisRun() {
    String choice = System.getProperty("drain.kernels", "auto");
    Kernels kernels = KernelProvider.kernels();
    switch (choice) {
      case "scalar" -> assertInstanceOf(ScalarKernels.class, kernels);
      case "panama" -> assertTrue(kernels.name().startsWith("panama-"), kernels.name());
      default -> assertEquals(KernelProvider.vectorModulePresent(), KernelProvider.isVectorized());
    }
  }

  @Test
  void panamaNeedsTheModuleAndAutoFallsBack() {
    if (KernelProvider.vectorModulePresent()) {
      assertTrue(KernelProvider.lookup("panama").name().startsWith("panama-"));
      assertTrue(KernelProvider.lookup("auto").name().startsWith("panama-"));
    } else {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelProvider.lookup("panama"));
      assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
      assertInstanceOf(ScalarKernels.class, KernelProvider.lookup("auto"));
    }
  }

  @Test
  void rejectsUnknownChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelProvider.lookup("gpu"));
    assertTrue(e.getMessage().contains("'gpu'"), e.getMessage());
  }
}
