package tips.drain.quant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The reference kernels against the float product, within ggml's budgets (see {@link ErrorBudgets}). */
class ScalarQuantKernelsTest {
  private static final QuantKernels SCALAR = new ScalarQuantKernels();

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void ggmlDotProductTest(QuantFormat format) {
    ErrorBudgets.assertGgmlDotError(SCALAR, format);
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void randomMatricesWithinBudget(QuantFormat format) {
    ErrorBudgets.assertRandomMatmulError(SCALAR, format, format.ordinal());
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void productsAreTheStoredIntegersProducts(QuantFormat format) {
    ErrorBudgets.assertExactProducts(SCALAR, format, 50 + format.ordinal());
  }
}
