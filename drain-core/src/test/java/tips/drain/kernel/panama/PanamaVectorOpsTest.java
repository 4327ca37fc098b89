package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.KernelTestData.SIZES;
import static tips.drain.kernel.panama.KernelTestData.assertClose;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tips.drain.kernel.Kernels;
import tips.drain.kernel.ScalarKernels;

/**
 * The element-wise panama kernels against the scalar reference, at every width, on odd sizes and
 * non-zero offsets. Element-wise results (axpy, add, scale) must be equal up to fma rounding;
 * reductions and exp- or tanh-based ones within the documented tolerance of {@link KernelTestData}.
 */
class PanamaVectorOpsTest {
  private static final Kernels SCALAR = new ScalarKernels();
  private static final int OFF = 3;

  static Stream<Integer> widths() {
    return PanamaKernelsLoader.widths().stream();
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void dot(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits);
    for (int n : SIZES) {
      float[] a = KernelTestData.floats(rnd, n + OFF);
      float[] b = KernelTestData.floats(rnd, n + 2 * OFF);
      assertClose(SCALAR.dot(a, OFF, b, 2 * OFF, n), panama.dot(a, OFF, b, 2 * OFF, n),
          KernelTestData.magnitude(a, OFF, b, 2 * OFF, n), panama.name() + " dot n=" + n);
    }
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void axpyAddScale(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits + 1);
    for (int n : SIZES) {
      float[] x = KernelTestData.floats(rnd, n + OFF);
      float[] y = KernelTestData.floats(rnd, n + 2 * OFF);
      float[] want = y.clone();
      float[] got = y.clone();
      SCALAR.axpy(0.7f, x, OFF, want, 2 * OFF, n);
      panama.axpy(0.7f, x, OFF, got, 2 * OFF, n);
      SCALAR.add(want, 2 * OFF, x, OFF, n);
      panama.add(got, 2 * OFF, x, OFF, n);
      SCALAR.scale(want, 2 * OFF, n, -1.3f);
      panama.scale(got, 2 * OFF, n, -1.3f);
      for (int i = 0; i < want.length; i++) {
        // fma rounds once where the scalar a*x+y rounds twice: one ulp of the terms
        double magnitude = Math.abs(0.7 * x[Math.max(0, Math.min(n + OFF - 1, i - OFF))]) + Math.abs(y[i]) + Math.abs(want[i]);
        assertClose(want[i], got[i], magnitude, panama.name() + " axpy/add/scale n=" + n + " i=" + i);
      }
    }
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void rmsnorm(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits + 2);
    for (int n : SIZES) {
      float[] x = KernelTestData.floats(rnd, n + OFF);
      float[] weight = KernelTestData.floats(rnd, n);
      for (float weightOffset : new float[] {0f, 1f}) {
        float[] want = new float[n + 1];
        float[] got = new float[n + 1];
        SCALAR.rmsnorm(want, 1, x, OFF, weight, weightOffset, n, 1e-5f);
        panama.rmsnorm(got, 1, x, OFF, weight, weightOffset, n, 1e-5f);
        for (int i = 0; i <= n; i++) {
          assertClose(want[i], got[i], Math.abs(want[i]), panama.name() + " rmsnorm n=" + n + " i=" + i);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void softmax(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits + 3);
    for (int n : SIZES) {
      float[] x = KernelTestData.floats(rnd, n + OFF + 2);
      for (int i = 0; i < x.length; i++) {
        x[i] *= 8; // a spread of logits like attention scores
      }
      float[] want = x.clone();
      float[] got = x.clone();
      SCALAR.softmax(want, OFF, n);
      panama.softmax(got, OFF, n);
      for (int i = 0; i < x.length; i++) {
        assertClose(want[i], got[i], Math.abs(want[i]), panama.name() + " softmax n=" + n + " i=" + i);
      }
    }
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void siluMul(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits + 4);
    for (int n : SIZES) {
      float[] gate = KernelTestData.floats(rnd, n + OFF);
      float[] up = KernelTestData.floats(rnd, n + OFF);
      gate[OFF] = -100f; // exp overflows to infinity: silu must give -0, not NaN
      float[] want = gate.clone();
      float[] got = gate.clone();
      SCALAR.siluMul(want, up, OFF, n);
      panama.siluMul(got, up, OFF, n);
      for (int i = 0; i < want.length; i++) {
        assertClose(want[i], got[i], Math.abs(want[i]), panama.name() + " siluMul n=" + n + " i=" + i);
      }
    }
  }

  /** Sizes for the tanh kernels: odd ones, so every width has a scalar tail. */
  private static final int[] TANH_SIZES = {1, 13, 207, 702};

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void geluTanhMul(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits + 5);
    for (int n : TANH_SIZES) {
      float[] gate = KernelTestData.floats(rnd, n + OFF);
      float[] up = KernelTestData.floats(rnd, n + OFF);
      for (int i = 0; i < gate.length; i++) {
        gate[i] *= 3; // the tanh argument spans its curved part and both saturations
      }
      // g³ overflows to infinity (tanh ±1, GELU 0 or g), a large negative g, and zero
      float[] extremes = {1e13f, -1e13f, -40f, 0f, -0f, 25f};
      for (int e = 0; e < extremes.length && OFF + e * 3 < gate.length; e++) {
        gate[OFF + e * 3] = extremes[e];
      }
      float[] want = gate.clone();
      float[] got = gate.clone();
      SCALAR.geluTanhMul(want, up, OFF, n);
      panama.geluTanhMul(got, up, OFF, n);
      for (int i = 0; i < want.length; i++) {
        // 1 + tanh cancels for negative g: an ulp of tanh is relative to |g·up|, not to the result
        double magnitude = Math.abs((double) gate[i] * up[i]) + Math.abs(want[i]);
        assertClose(want[i], got[i], magnitude, panama.name() + " geluTanhMul n=" + n + " i=" + i + " g=" + gate[i]);
      }
    }
  }

  /** GPT-OSS's clamped SwiGLU: gates and ups spread past ±7 so both clamps act, in the vector loop and the tail. */
  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void clampedSwigluMul(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits + 9);
    for (int n : TANH_SIZES) {
      float[] gate = KernelTestData.floats(rnd, n + OFF);
      float[] up = KernelTestData.floats(rnd, n + OFF);
      for (int i = 0; i < gate.length; i++) {
        gate[i] *= 12;
        up[i] *= 12;
      }
      gate[gate.length - 1] = -200f; // exp overflows: the gate's contribution is -0, not NaN
      float[] want = gate.clone();
      float[] got = gate.clone();
      SCALAR.clampedSwigluMul(want, up, OFF, n, 1.702f, 7f);
      panama.clampedSwigluMul(got, up, OFF, n, 1.702f, 7f);
      for (int i = 0; i < want.length; i++) {
        assertClose(want[i], got[i], Math.abs(want[i]) + 1e-30, panama.name() + " clampedSwigluMul n=" + n + " i=" + i);
      }
    }
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void softcap(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits + 6);
    for (int n : TANH_SIZES) {
      for (float cap : new float[] {30f, 50f}) {
        float[] x = KernelTestData.floats(rnd, n + OFF + 2);
        for (int i = 0; i < x.length; i++) {
          x[i] *= 40; // logits below, around and far beyond the cap
        }
        float[] extremes = {1e30f, -1e30f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, 1e-30f};
        for (int e = 0; e < extremes.length && OFF + e * 2 < n + OFF; e++) {
          x[OFF + e * 2] = extremes[e];
        }
        float[] want = x.clone();
        float[] got = x.clone();
        SCALAR.softcap(want, OFF, n, cap);
        panama.softcap(got, OFF, n, cap);
        for (int i = 0; i < x.length; i++) {
          assertClose(want[i], got[i], Math.abs(want[i]), panama.name() + " softcap " + cap + " n=" + n + " i=" + i + " x=" + x[i]);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void layerNorm(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits + 7);
    for (int n : SIZES) {
      float[] x = KernelTestData.floats(rnd, n + OFF);
      for (int i = 0; i < x.length; i++) {
        x[i] += 2f; // a mean far from zero, as in real hidden states
      }
      float[] weight = KernelTestData.floats(rnd, n);
      float[] bias = KernelTestData.floats(rnd, n);
      for (float[] b : new float[][] {bias, null}) {
        float[] want = new float[n + 1];
        float[] got = new float[n + 1];
        SCALAR.layerNorm(want, 1, x, OFF, weight, b, n, 1e-5f);
        panama.layerNorm(got, 1, x, OFF, weight, b, n, 1e-5f);
        for (int i = 0; i <= n; i++) {
          double magnitude = Math.abs(want[i]) + (b == null || i == 0 ? 0 : Math.abs(b[i - 1])) + Math.abs(weight[Math.max(0, i - 1)]);
          assertClose(want[i], got[i], magnitude, panama.name() + " layerNorm n=" + n + " i=" + i);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void gelu(int bits) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits + 8);
    for (int n : TANH_SIZES) {
      float[] x = KernelTestData.floats(rnd, n + OFF);
      for (int i = 0; i < x.length; i++) {
        x[i] *= 6; // both tails and the curved middle
      }
      float[] extremes = {1e13f, -1e13f, -40f, 0f, -0f, 25f};
      for (int e = 0; e < extremes.length && OFF + e * 3 < x.length; e++) {
        x[OFF + e * 3] = extremes[e];
      }
      for (boolean tanh : new boolean[] {false, true}) {
        float[] want = x.clone();
        float[] got = x.clone();
        if (tanh) {
          SCALAR.geluTanh(want, OFF, n);
          panama.geluTanh(got, OFF, n);
        } else {
          SCALAR.gelu(want, OFF, n);
          panama.gelu(got, OFF, n);
        }
        for (int i = 0; i < want.length; i++) {
          // 1 + erf (or tanh) cancels for negative x: an ulp is relative to |x|, not to the result
          double magnitude = Math.abs(x[i]) + Math.abs(want[i]);
          assertClose(want[i], got[i], magnitude, panama.name() + (tanh ? " geluTanh" : " gelu") + " n=" + n + " i=" + i);
        }
      }
    }
  }
}
