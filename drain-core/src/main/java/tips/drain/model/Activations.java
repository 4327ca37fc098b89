package tips.drain.model;

import tips.drain.kernel.Kernels;

/** The MLP activations of {@link Activation} on the kernels: gated ({@code act(gate) * up}) and plain. */
final class Activations {
  private Activations() {}

  /** {@code gate[off..off+n) = act(gate) * up}: the activation of a gated MLP or expert. */
  static void gated(Kernels kernels, Activation act, float[] gate, float[] up, int off, int n) {
    switch (act) {
      case SILU -> kernels.siluMul(gate, up, off, n);
      case GELU_TANH -> kernels.geluTanhMul(gate, up, off, n);
      case GELU -> {
        kernels.gelu(gate, off, n);
        for (int i = off; i < off + n; i++) {
          gate[i] *= up[i];
        }
      }
      case CLAMPED_SWIGLU -> kernels.clampedSwigluMul(gate, up, off, n, Activation.SWIGLU_ALPHA, Activation.SWIGLU_LIMIT);
    }
  }

  /** {@code x[off..off+n) = act(x)}: the activation of a plain (non-gated) MLP. */
  static void plain(Kernels kernels, Activation act, float[] x, int off, int n) {
    switch (act) {
      case GELU -> kernels.gelu(x, off, n);
      case GELU_TANH -> kernels.geluTanh(x, off, n);
      case SILU, CLAMPED_SWIGLU -> throw new IllegalStateException(act + " is not a plain MLP activation");
    }
  }
}
