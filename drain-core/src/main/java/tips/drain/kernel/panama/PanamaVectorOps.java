package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaSpecies.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import tips.drain.kernel.ScalarKernels;

/**
 * The element-wise and reduction kernels over F32 activations: dot, axpy, add, scale, RMSNorm, softmax,
 * SiLU×up, GELU-tanh×up and soft-capping. Each is a vector loop plus a scalar tail; {@code exp} and
 * {@code tanh} are {@link Math#exp} and {@link Math#tanh} lane by lane, not the Vector API's SVML-based
 * {@link VectorOperators#EXP} and {@link VectorOperators#TANH}, which round differently before and after C2 compiles
 * them (see {@link #exp}). The tails and the formulas' order of operations are those of the scalar references.
 */
final class PanamaVectorOps {
  private PanamaVectorOps() {}

  /**
   * {@code e^v}, lane by lane as {@code (float) Math.exp}. The Vector API's {@link VectorOperators#EXP} is the JDK's
   * SVML routine once C2 compiles the caller and {@code Math.exp} per lane before, and the two round differently
   * (measured: 40 of 1024 lanes); a request's output must not depend on when it runs, or with what.
   */
  private static FloatVector exp(FloatVector v) {
    float[] lanes = v.toArray();
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = (float) Math.exp(lanes[i]);
    }
    return FloatVector.fromArray(F, lanes, 0);
  }

  /** {@code tanh(v)}, lane by lane as {@code (float) Math.tanh}, for the reason of {@link #exp}. */
  private static FloatVector tanh(FloatVector v) {
    float[] lanes = v.toArray();
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = (float) Math.tanh(lanes[i]);
    }
    return FloatVector.fromArray(F, lanes, 0);
  }

  static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    int lanes = F.length();
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = acc0;
    FloatVector acc2 = acc0;
    FloatVector acc3 = acc0;
    int i = 0;
    for (; i <= n - 4 * lanes; i += 4 * lanes) {
      acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
      acc1 = FloatVector.fromArray(F, a, aOff + i + lanes).fma(FloatVector.fromArray(F, b, bOff + i + lanes), acc1);
      acc2 = FloatVector.fromArray(F, a, aOff + i + 2 * lanes).fma(FloatVector.fromArray(F, b, bOff + i + 2 * lanes), acc2);
      acc3 = FloatVector.fromArray(F, a, aOff + i + 3 * lanes).fma(FloatVector.fromArray(F, b, bOff + i + 3 * lanes), acc3);
    }
    for (; i <= n - lanes; i += lanes) {
      acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
    }
    float sum = PanamaLaneSums.sum(acc0.add(acc1).add(acc2.add(acc3)));
    for (; i < n; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    int lanes = F.length();
    FloatVector va = FloatVector.broadcast(F, a);
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector.fromArray(F, x, xOff + i).fma(va, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] += a * x[xOff + i];
    }
  }

  static void add(float[] y, int yOff, float[] x, int xOff, int n) {
    int lanes = F.length();
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] += x[xOff + i];
    }
  }

  static void scale(float[] x, int off, int n, float s) {
    int lanes = F.length();
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector.fromArray(F, x, off + i).mul(s).intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] *= s;
    }
  }

  static void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float weightOffset, int n, float eps) {
    float ss = dot(x, xOff, x, xOff, n);
    float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
    int lanes = F.length();
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector w = FloatVector.fromArray(F, weight, i).add(weightOffset);
      FloatVector.fromArray(F, x, xOff + i).mul(inv).mul(w).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = (x[xOff + i] * inv) * (weightOffset + weight[i]);
    }
  }

  static void softmax(float[] x, int off, int n) {
    softmaxWithSink(x, off, n, Float.NEGATIVE_INFINITY);
  }

  /** ALiBi's term, as {@link ScalarKernels#alibiScalar}: {@code x[off + i] += slope * (i - (n - 1))}. */
  static void alibi(float[] x, int off, int n, float slope) {
    int lanes = F.length();
    int last = n - 1;
    FloatVector iota = FloatVector.zero(F).addIndex(1);
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector distance = iota.add((float) (i - last));
      FloatVector.fromArray(F, x, off + i).add(distance.mul(slope)).intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] += slope * (float) (i - last);
    }
  }

  /** Softmax with a sink logit (none: negative infinity), as {@link ScalarKernels#softmaxWithSinkScalar}. */
  static void softmaxWithSink(float[] x, int off, int n, float sink) {
    int lanes = F.length();
    int i = 0;
    FloatVector vmax = FloatVector.broadcast(F, sink);
    for (; i <= n - lanes; i += lanes) {
      vmax = vmax.max(FloatVector.fromArray(F, x, off + i));
    }
    float max = vmax.reduceLanes(VectorOperators.MAX);
    for (; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    FloatVector vsum = FloatVector.zero(F);
    i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector e = exp(FloatVector.fromArray(F, x, off + i).sub(max));
      e.intoArray(x, off + i);
      vsum = vsum.add(e);
    }
    float sum = PanamaLaneSums.sum(vsum);
    for (; i < n; i++) {
      float e = (float) Math.exp(x[off + i] - max);
      x[off + i] = e;
      sum += e;
    }
    if (sink != Float.NEGATIVE_INFINITY) {
      sum += (float) Math.exp(sink - max);
    }
    scale(x, off, n, 1f / sum);
  }

  static void siluMul(float[] gate, float[] up, int off, int n) {
    int lanes = F.length();
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector g = FloatVector.fromArray(F, gate, off + i);
      FloatVector sigmoidDenominator = exp(g.neg()).add(1f);
      g.div(sigmoidDenominator).mul(FloatVector.fromArray(F, up, off + i)).intoArray(gate, off + i);
    }
    for (; i < n; i++) {
      float g = gate[off + i];
      gate[off + i] = g / (1f + (float) Math.exp(-g)) * up[off + i];
    }
  }

  /** {@code sqrt(2/π)} of GELU's tanh approximation, rounded to float as the scalar reference does. */
  private static final float GELU_BETA = (float) Math.sqrt(2 / Math.PI);
  private static final float GELU_KAPPA = 0.044715f;

  /** GeGLU: {@code gate = 0.5·g·(1 + tanh(β·(g + κ·g³))) · up}, as {@code ScalarKernels.geluTanhMulScalar}. */
  static void geluTanhMul(float[] gate, float[] up, int off, int n) {
    int lanes = F.length();
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector g = FloatVector.fromArray(F, gate, off + i);
      FloatVector inner = g.mul(g).mul(g).mul(GELU_KAPPA).add(g).mul(GELU_BETA);
      FloatVector onePlusTanh = tanh(inner).add(1f);
      g.mul(0.5f).mul(onePlusTanh).mul(FloatVector.fromArray(F, up, off + i)).intoArray(gate, off + i);
    }
    for (; i < n; i++) {
      float g = gate[off + i];
      float inner = GELU_BETA * (g + GELU_KAPPA * (g * g * g));
      gate[off + i] = 0.5f * g * (1f + (float) Math.tanh(inner)) * up[off + i];
    }
  }

  /** GPT-OSS's clamped SwiGLU, as {@code ScalarKernels.clampedSwigluMulScalar}. */
  static void clampedSwigluMul(float[] gate, float[] up, int off, int n, float alpha, float limit) {
    int lanes = F.length();
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector g = FloatVector.fromArray(F, gate, off + i).min(limit);
      FloatVector u = FloatVector.fromArray(F, up, off + i).min(limit).max(-limit);
      FloatVector sigmoidDenominator = g.mul(alpha).neg().lanewise(VectorOperators.EXP).add(1f);
      u.add(1f).mul(g.div(sigmoidDenominator)).intoArray(gate, off + i);
    }
    for (; i < n; i++) {
      float g = Math.min(gate[off + i], limit);
      float u = Math.max(-limit, Math.min(up[off + i], limit));
      gate[off + i] = (u + 1f) * (g / (1f + (float) Math.exp(-(g * alpha))));
    }
  }

  /** LayerNorm, as {@code ScalarKernels.layerNormScalar}: the mean, the variance of the centred values, then the affine map. */
  static void layerNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n, float eps) {
    int lanes = F.length();
    int i = 0;
    FloatVector vsum = FloatVector.zero(F);
    for (; i <= n - lanes; i += lanes) {
      vsum = vsum.add(FloatVector.fromArray(F, x, xOff + i));
    }
    float sum = PanamaLaneSums.sum(vsum);
    for (; i < n; i++) {
      sum += x[xOff + i];
    }
    float mean = sum / n;
    FloatVector vss = FloatVector.zero(F);
    i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector d = FloatVector.fromArray(F, x, xOff + i).sub(mean);
      vss = d.fma(d, vss);
    }
    float ss = PanamaLaneSums.sum(vss);
    for (; i < n; i++) {
      float d = x[xOff + i] - mean;
      ss += d * d;
    }
    float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
    i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector y = FloatVector.fromArray(F, x, xOff + i).sub(mean).mul(inv).mul(FloatVector.fromArray(F, weight, i));
      if (bias != null) {
        y = y.add(FloatVector.fromArray(F, bias, i));
      }
      y.intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      float y = (x[xOff + i] - mean) * inv * weight[i];
      out[outOff + i] = bias == null ? y : y + bias[i];
    }
  }

  /** Exact GELU with erf from Abramowitz and Stegun 7.1.26, as {@code ScalarKernels.geluScalar}. */
  static void gelu(float[] x, int off, int n) {
    int lanes = F.length();
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector v = FloatVector.fromArray(F, x, off + i);
      FloatVector a = v.mul(ScalarKernels.INV_SQRT2).abs();
      FloatVector t = FloatVector.broadcast(F, 1f).div(a.mul(ScalarKernels.ERF_P).add(1f));
      FloatVector poly = t.mul(ScalarKernels.ERF_A5).add(ScalarKernels.ERF_A4).mul(t).add(ScalarKernels.ERF_A3).mul(t)
          .add(ScalarKernels.ERF_A2).mul(t).add(ScalarKernels.ERF_A1).mul(t);
      FloatVector erfAbs = poly.mul(exp(a.mul(a).neg())).neg().add(1f);
      FloatVector erf = erfAbs.blend(erfAbs.neg(), v.compare(VectorOperators.LT, 0f));
      v.mul(0.5f).mul(erf.add(1f)).intoArray(x, off + i);
    }
    ScalarKernels.geluScalar(x, off + i, n - i);
  }

  /** GELU, tanh form, as {@code ScalarKernels.geluTanhScalar}. */
  static void geluTanh(float[] x, int off, int n) {
    int lanes = F.length();
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      FloatVector g = FloatVector.fromArray(F, x, off + i);
      FloatVector inner = g.mul(g).mul(g).mul(GELU_KAPPA).add(g).mul(GELU_BETA);
      g.mul(0.5f).mul(tanh(inner).add(1f)).intoArray(x, off + i);
    }
    ScalarKernels.geluTanhScalar(x, off + i, n - i);
  }

  /** Soft-capping: {@code x = cap · tanh(x / cap)}, as {@code ScalarKernels.softcapScalar}. */
  static void softcap(float[] x, int off, int n, float cap) {
    int lanes = F.length();
    int i = 0;
    for (; i <= n - lanes; i += lanes) {
      tanh(FloatVector.fromArray(F, x, off + i).div(cap)).mul(cap).intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] = cap * (float) Math.tanh(x[off + i] / cap);
    }
  }
}
