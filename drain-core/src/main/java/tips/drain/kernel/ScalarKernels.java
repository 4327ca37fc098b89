package tips.drain.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import tips.drain.tensor.DType;
import tips.drain.tensor.Floats;

/** The reference kernels: plain loops, no SIMD. Every optimized kernel is tested against these. */
public final class ScalarKernels implements Kernels {
  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
  private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
  private static final ScalarKernels REFERENCE = new ScalarKernels();

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  /** Element {@code index} (counted in elements, not bytes) of a segment of F32, BF16 or F16 values, as a float. */
  public static float weight(DType type, MemorySegment w, long index) {
    return switch (type) {
      case F32 -> w.get(F32, 4L * index);
      case BF16 -> Floats.bf16ToFloat(w.get(I16, 2L * index));
      case F16 -> Float.float16ToFloat(w.get(I16, 2L * index));
      default -> throw new IllegalArgumentException("no float weights of type " + type);
    };
  }

  /** One row of {@code W} (row-major, {@code cols} wide) dotted with {@code x[xOff..]}. */
  public static float dotRow(DType type, MemorySegment w, long row, int cols, float[] x, int xOff) {
    long base = row * cols * type.bytes();
    float sum = 0f;
    switch (type) {
      case F32 -> {
        for (int i = 0; i < cols; i++) {
          sum += w.get(F32, base + 4L * i) * x[xOff + i];
        }
      }
      case BF16 -> {
        for (int i = 0; i < cols; i++) {
          sum += Floats.bf16ToFloat(w.get(I16, base + 2L * i)) * x[xOff + i];
        }
      }
      case F16 -> {
        for (int i = 0; i < cols; i++) {
          sum += Float.float16ToFloat(w.get(I16, base + 2L * i)) * x[xOff + i];
        }
      }
      default -> throw new IllegalArgumentException("no matvec kernel for " + type);
    }
    return sum;
  }

  @Override
  public void matvec(DType type, MemorySegment w, int cols, float[] x, float[] out, int rowFrom, int rowTo) {
    for (int r = rowFrom; r < rowTo; r++) {
      out[r] = dotRow(type, w, r, cols, x, 0);
    }
  }

  /** Row by row, each row against every vector: the sums of {@link #matvec}, whatever the batch. */
  @Override
  public void matvecs(DType type, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    for (int r = rowFrom; r < rowTo; r++) {
      for (int b = 0; b < batch; b++) {
        out[b * rows + r] = dotRow(type, w, r, cols, x, b * cols);
      }
    }
  }

  @Override
  public void matmul(DType type, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    for (int b = 0; b < batch; b++) {
      for (int r = rowFrom; r < rowTo; r++) {
        out[b * rows + r] = dotRow(type, w, r, cols, x, b * cols);
      }
    }
  }

  @Override
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += a * x[xOff + i];
    }
  }

  @Override
  public void add(float[] y, int yOff, float[] x, int xOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += x[xOff + i];
    }
  }

  @Override
  public void scale(float[] x, int off, int n, float s) {
    for (int i = 0; i < n; i++) {
      x[off + i] *= s;
    }
  }

  @Override
  public void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float weightOffset, int n, float eps) {
    float ss = 0f;
    for (int i = 0; i < n; i++) {
      ss += x[xOff + i] * x[xOff + i];
    }
    float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
    for (int i = 0; i < n; i++) {
      out[outOff + i] = (x[xOff + i] * inv) * (weightOffset + weight[i]);
    }
  }

  @Override
  public void softmax(float[] x, int off, int n) {
    softmaxWithSinkScalar(x, off, n, Float.NEGATIVE_INFINITY);
  }


  @Override
  public void siluMul(float[] gate, float[] up, int off, int n) {
    for (int i = 0; i < n; i++) {
      float g = gate[off + i];
      gate[off + i] = g / (1f + (float) Math.exp(-g)) * up[off + i];
    }
  }

  @Override
  public void geluTanhMul(float[] gate, float[] up, int off, int n) {
    geluTanhMulScalar(gate, up, off, n);
  }

  @Override
  public void softcap(float[] x, int off, int n, float cap) {
    softcapScalar(x, off, n, cap);
  }

  /** The reference of {@link Kernels#geluTanhMul}, in float as PyTorch's CPU kernel computes it. */
  public static void geluTanhMulScalar(float[] gate, float[] up, int off, int n) {
    final float beta = (float) Math.sqrt(2 / Math.PI);
    final float kappa = 0.044715f;
    for (int i = 0; i < n; i++) {
      float g = gate[off + i];
      float inner = beta * (g + kappa * (g * g * g));
      gate[off + i] = 0.5f * g * (1f + (float) Math.tanh(inner)) * up[off + i];
    }
  }

  /** The reference of {@link Kernels#layerNorm}: mean, then the biased variance of the centred values, in float. */
  public static void layerNormScalar(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n,
      float eps) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += x[xOff + i];
    }
    float mean = sum / n;
    float ss = 0f;
    for (int i = 0; i < n; i++) {
      float d = x[xOff + i] - mean;
      ss += d * d;
    }
    float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
    for (int i = 0; i < n; i++) {
      float y = (x[xOff + i] - mean) * inv * weight[i];
      out[outOff + i] = bias == null ? y : y + bias[i];
    }
  }

  /** Coefficients of Abramowitz and Stegun 7.1.26: {@code erf(z) = 1 - t·(a1 + t·(a2 + ...))·exp(-z²)}, {@code t = 1/(1 + p·z)}. */
  public static final float ERF_P = 0.3275911f;
  public static final float ERF_A1 = 0.254829592f;
  public static final float ERF_A2 = -0.284496736f;
  public static final float ERF_A3 = 1.421413741f;
  public static final float ERF_A4 = -1.453152027f;
  public static final float ERF_A5 = 1.061405429f;
  /** {@code 1/√2}. */
  public static final float INV_SQRT2 = 0.70710678f;

  /** {@code erf(z)} in float to within 1.5e-7 (Abramowitz and Stegun 7.1.26), odd in {@code z}. */
  public static float erf(float z) {
    float a = Math.abs(z);
    float t = 1f / (1f + ERF_P * a);
    float poly = t * (ERF_A1 + t * (ERF_A2 + t * (ERF_A3 + t * (ERF_A4 + t * ERF_A5))));
    float e = 1f - poly * (float) Math.exp(-a * a);
    return Math.copySign(e, z);
  }

  /** The reference of {@link Kernels#gelu}. */
  public static void geluScalar(float[] x, int off, int n) {
    for (int i = 0; i < n; i++) {
      float v = x[off + i];
      x[off + i] = 0.5f * v * (1f + erf(v * INV_SQRT2));
    }
  }

  /** The reference of {@link Kernels#geluTanh}. */
  public static void geluTanhScalar(float[] x, int off, int n) {
    final float beta = (float) Math.sqrt(2 / Math.PI);
    final float kappa = 0.044715f;
    for (int i = 0; i < n; i++) {
      float g = x[off + i];
      float inner = beta * (g + kappa * (g * g * g));
      x[off + i] = 0.5f * g * (1f + (float) Math.tanh(inner));
    }
  }

  /** The reference of {@link Kernels#clampedSwigluMul}, in float as transformers' {@code GptOssExperts}. */
  public static void clampedSwigluMulScalar(float[] gate, float[] up, int off, int n, float alpha, float limit) {
    for (int i = 0; i < n; i++) {
      float g = Math.min(gate[off + i], limit);
      float u = Math.max(-limit, Math.min(up[off + i], limit));
      gate[off + i] = (u + 1f) * (g / (1f + (float) Math.exp(-(g * alpha))));
    }
  }

  /** The reference of {@link Kernels#softcap}. */
  public static void softcapScalar(float[] x, int off, int n, float cap) {
    for (int i = 0; i < n; i++) {
      x[off + i] = cap * (float) Math.tanh(x[off + i] / cap);
    }
  }

  @Override
  public void attention(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values, int valueOff,
      int valueStride, int from, int to, float scale, float[] scores, float[] out, int outOff) {
    attentionScalar(q, qOff, heads, headDim, keys, keyOff, values, valueOff, valueStride, from, to, scale, 0f, scores, out,
        outOff);
  }

  /** The reference of the {@link Kernels#attention} methods without ALiBi or sinks. */
  public static void attentionScalar(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values,
      int valueOff, int valueStride, int from, int to, float scale, float softcap, float[] scores, float[] out, int outOff) {
    attentionScalar(q, qOff, heads, headDim, keys, keyOff, values, valueOff, valueStride, from, to, scale, softcap, null,
        null, 0, scores, out, outOff);
  }

  /**
   * The reference of every {@link Kernels#attention} method: soft-capped scores when {@code softcap != 0}, ALiBi
   * when {@code alibiSlopes != null}, a sink logit per head when {@code sinks != null}.
   */
  public static void attentionScalar(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values,
      int valueOff, int valueStride, int from, int to, float scale, float softcap, float[] alibiSlopes, float[] sinks,
      int headOff, float[] scores, float[] out, int outOff) {
    ScalarKernels k = REFERENCE;
    int len = to - from;
    for (int h = 0; h < heads; h++) {
      int qh = qOff + h * headDim;
      for (int p = from; p < to; p++) {
        float dot = 0f;
        int k0 = Kernels.keyIndex(keyOff, headDim, p);
        for (int d = 0; d < headDim; d++) {
          dot += q[qh + d] * keys[k0 + d * KEY_TILE];
        }
        float score = scale * dot;
        if (softcap != 0) {
          score = softcap * (float) Math.tanh(score / softcap);
        }
        scores[h * len + p - from] = score;
      }
      if (alibiSlopes != null) {
        alibiScalar(scores, h * len, len, alibiSlopes[headOff + h]);
      }
      softmaxWithSinkScalar(scores, h * len, len, sinks != null ? sinks[headOff + h] : Float.NEGATIVE_INFINITY);
      int oh = outOff + h * headDim;
      for (int d = 0; d < headDim; d++) {
        out[oh + d] = 0f;
      }
      for (int p = from; p < to; p++) {
        k.axpy(scores[h * len + p - from], values, valueOff + p * valueStride, out, oh, headDim);
      }
    }
  }

  /** ALiBi's term: {@code x[off + i] += slope * (i - (n - 1))}, the last element being the query's own position. */
  public static void alibiScalar(float[] x, int off, int n, float slope) {
    for (int i = 0; i < n; i++) {
      x[off + i] += slope * (float) (i - (n - 1));
    }
  }

  /**
   * Softmax over {@code x[off .. off+n)} and one more logit {@code sink} that takes part in the normalization but
   * is not stored (GPT-OSS's attention sinks): {@code x_i = exp(x_i - m) / (Σ exp(x_j - m) + exp(sink - m))}; with
   * {@code sink} negative infinity, the plain softmax.
   */
  public static void softmaxWithSinkScalar(float[] x, int off, int n, float sink) {
    float max = sink;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      float e = (float) Math.exp(x[off + i] - max);
      x[off + i] = e;
      sum += e;
    }
    if (sink != Float.NEGATIVE_INFINITY) {
      sum += (float) Math.exp(sink - max);
    }
    float inv = 1f / sum;
    for (int i = 0; i < n; i++) {
      x[off + i] *= inv;
    }
  }

}
