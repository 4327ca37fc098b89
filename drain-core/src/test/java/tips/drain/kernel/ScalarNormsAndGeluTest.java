package tips.drain.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The scalar LayerNorm and GELU references against the same formulas evaluated in double with an exact erf. */
class ScalarNormsAndGeluTest {

  /** erf in double: its Taylor series below 3 (~1e-13 there), the asymptotic series of erfc above (~1e-8). */
  static double erfExact(double z) {
    double a = Math.abs(z);
    if (a >= 3) {
      double inv2 = 1 / (2 * a * a);
      double series = 1 - inv2 + 3 * inv2 * inv2 - 15 * inv2 * inv2 * inv2 + 105 * inv2 * inv2 * inv2 * inv2;
      return Math.signum(z) * (1 - Math.exp(-a * a) / (a * Math.sqrt(Math.PI)) * series);
    }
    double term = a;
    double sum = a;
    for (int n = 1; n < 100; n++) {
      term *= -a * a / n;
      sum += term / (2 * n + 1);
    }
    return Math.signum(z) * 2 / Math.sqrt(Math.PI) * sum;
  }

  @Test
  void erfWithinTheApproximationsBound() {
    double worst = 0;
    for (float z = -5f; z <= 5f; z += 0.001f) {
      worst = Math.max(worst, Math.abs(ScalarKernels.erf(z) - erfExact(z)));
    }
    // A&S 7.1.26 promises 1.5e-7; evaluating it in float adds up to about three ulps of 1 (1.2e-7 each)
    assertTrue(worst < 5e-7, "max |erf error| " + worst);
    assertTrue(worst > 1e-9, "the approximation's error must be visible, else the test compares erf with itself");
    assertEquals(0f, ScalarKernels.erf(0f));
    assertEquals(1f, ScalarKernels.erf(20f));
    assertEquals(-1f, ScalarKernels.erf(-20f));
  }

  @Test
  void geluMatchesTheExactFormula() {
    float[] x = new float[4001];
    for (int i = 0; i < x.length; i++) {
      x[i] = -10f + i * 0.005f;
    }
    float[] got = x.clone();
    ScalarKernels.geluScalar(got, 0, got.length);
    for (int i = 0; i < x.length; i++) {
      double want = 0.5 * x[i] * (1 + erfExact(x[i] / Math.sqrt(2)));
      assertEquals(want, got[i], 3e-7 * Math.max(1, Math.abs(x[i])), "gelu(" + x[i] + ")");
    }
    // the tanh form differs from the exact one by ~1e-4 at x = 2: the two must not be mixed up
    float[] tanh = {2.0f};
    float[] exact = {2.0f};
    ScalarKernels.geluTanhScalar(tanh, 0, 1);
    ScalarKernels.geluScalar(exact, 0, 1);
    assertTrue(Math.abs(tanh[0] - exact[0]) > 5e-5, tanh[0] + " vs " + exact[0]);
    assertEquals(0.5 * 2 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (2 + 0.044715 * 8))), tanh[0], 1e-6);
  }

  @Test
  void layerNormMatchesDouble() {
    Random rnd = new Random(7);
    for (int n : new int[] {1, 5, 384, 1001}) {
      float[] x = new float[n + 3];
      float[] w = new float[n];
      float[] b = new float[n];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (rnd.nextGaussian() * 3 + 1.5);
      }
      for (int i = 0; i < n; i++) {
        w[i] = (float) (1 + rnd.nextGaussian() * 0.2);
        b[i] = (float) (rnd.nextGaussian() * 0.1);
      }
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += x[3 + i];
      }
      mean /= n;
      double var = 0;
      for (int i = 0; i < n; i++) {
        var += (x[3 + i] - mean) * (x[3 + i] - mean);
      }
      var /= n;
      float[] out = new float[n + 2];
      float[] outNoBias = new float[n];
      ScalarKernels.layerNormScalar(out, 2, x, 3, w, b, n, 1e-12f);
      ScalarKernels.layerNormScalar(outNoBias, 0, x, 3, w, null, n, 1e-12f);
      for (int i = 0; i < n; i++) {
        double norm = (x[3 + i] - mean) / Math.sqrt(var + 1e-12) * w[i];
        assertEquals(norm + b[i], out[2 + i], 2e-5 * (1 + Math.abs(norm)), "n=" + n + " i=" + i);
        assertEquals(norm, outNoBias[i], 2e-5 * (1 + Math.abs(norm)), "no bias, n=" + n + " i=" + i);
      }
    }
  }
}
