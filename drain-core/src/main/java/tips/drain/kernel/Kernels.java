package tips.drain.kernel;

import java.lang.foreign.MemorySegment;
import tips.drain.tensor.DType;

/**
 * The numeric kernels of the forward pass. {@link ScalarKernels} is the reference: plain loops that every
 * optimized implementation ({@code tips.drain.kernel.panama.PanamaKernels}) is tested against. Get the
 * implementation for this JVM from {@link KernelProvider#kernels()}.
 *
 * <p>Activations are F32 {@code float[]} with explicit offsets; weights are row-major segments of the
 * stored dtype (F32, F16 or BF16), little-endian. Callers validate lengths; kernels only compute.
 */
public interface Kernels {

  /** A short name for logs and benchmarks: {@code "scalar"} or {@code "panama-512"}. */
  String name();

  /** {@code a[aOff..aOff+n) · b[bOff..bOff+n)}. */
  float dot(float[] a, int aOff, float[] b, int bOff, int n);

  /**
   * Matrix × vector for decode: {@code out[r] = W[r, :] · x[0..cols)} for {@code rowFrom <= r < rowTo},
   * with {@code W} a row-major {@code (rows, cols)} segment of {@code type}.
   */
  void matvec(DType type, MemorySegment w, int cols, float[] x, float[] out, int rowFrom, int rowTo);

  /**
   * Matrix × a few vectors, batch-invariant: {@code out[b*rows + r] = W[r, :] · x[b*cols ..]} for {@code b < batch},
   * {@code rowFrom <= r < rowTo}, each product summed in exactly the order {@link #matvec} sums it for that vector
   * alone, so a token's result does not depend on the tokens it is batched with. Each row is read from memory
   * once for all vectors (a decode step of several sequences reads the weights once).
   */
  void matvecs(DType type, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out, int rowFrom, int rowTo);

  /**
   * Matrix × matrix for prefill: {@code out[b*rows + r] = W[r, :] · x[b*cols ..]} for {@code b < batch},
   * {@code rowFrom <= r < rowTo}.
   */
  void matmul(DType type, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out, int rowFrom, int rowTo);

  /** {@code y[yOff+i] += a * x[xOff+i]} for {@code i < n}. */
  void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n);

  /** {@code y[yOff+i] += x[xOff+i]} for {@code i < n} (residual connections). */
  void add(float[] y, int yOff, float[] x, int xOff, int n);

  /** {@code x[off+i] *= s} for {@code i < n}. */
  void scale(float[] x, int off, int n, float s);

  /**
   * RMSNorm: {@code out[i] = x[i] / sqrt(mean(x²) + eps) * (weightOffset + weight[i])}. The sum of squares
   * is accumulated in float, as PyTorch does in {@code LlamaRMSNorm} after upcasting. Gemma uses
   * {@code weightOffset = 1}.
   */
  void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float weightOffset, int n, float eps);

  /** Softmax in place over {@code x[off..off+n)}, with the maximum subtracted first. */
  void softmax(float[] x, int off, int n);

  /** SwiGLU: {@code gate[off+i] = silu(gate[off+i]) * up[off+i]}. */
  void siluMul(float[] gate, float[] up, int off, int n);

  /**
   * Attention of one query position for one group of {@code heads} query heads that share a KV head
   * (grouped-query attention), over the cached positions {@code [from, to)} (a causal window: the caller
   * passes {@code to = pos + 1}, and {@code from > 0} for sliding-window models).
   *
   * <ul>
   *   <li>query head {@code h < heads} is {@code q[qOff + h*headDim ..+headDim)};
   *   <li>keys are stored in tiles of {@link #KEY_TILE} positions, dimension by dimension within a tile:
   *       element {@code d} of the key of position {@code p} is
   *       {@code keys[keyOff + (p / KEY_TILE)*headDim*KEY_TILE + d*KEY_TILE + p % KEY_TILE]}, and the array holds
   *       whole tiles. One dimension of a tile's positions is one contiguous run (their scores build up without
   *       gathers) and the keys are read front to back;
   *   <li>values are stored position by position: the value of position {@code p} is
   *       {@code values[valueOff + p*valueStride ..+headDim)};
   *   <li>{@code scores[h*(to-from) + p-from] = softmax_p(scale * q_h · k_p)}: {@code scores} is scratch of at
   *       least {@code heads * (to - from)} floats and holds the attention weights afterwards;
   *   <li>{@code out[outOff + h*headDim + d] = Σ_p scores[h][p] * v_p[d]}.
   * </ul>
   * Requires {@code from < to}. Implementations read each key and value once for the whole group.
   */
  void attention(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values, int valueOff,
      int valueStride, int from, int to, float scale, float[] scores, float[] out, int outOff);

  /** Positions per tile of the key layout of {@link #attention}: a multiple of every vector width in floats. */
  int KEY_TILE = 16;

  /** Tiles of {@link #KEY_TILE} positions that the keys of {@code positions} positions of one KV head fill. */
  static int keyTiles(int positions) {
    return (positions + KEY_TILE - 1) / KEY_TILE;
  }

  /**
   * Where element 0 of the key of {@code position} is in {@link #attention}'s key layout, for a KV head whose
   * tiles start at {@code keyOff}; element {@code d} is {@code d * KEY_TILE} further.
   */
  static int keyIndex(int keyOff, int headDim, int position) {
    return keyOff + position / KEY_TILE * headDim * KEY_TILE + position % KEY_TILE;
  }

  /**
   * {@link #attention} with the scores soft-capped before the softmax (Gemma 2's {@code attn_logit_softcapping}):
   * {@code scores = softmax_p(cap * tanh(scale * q_h · k_p / cap))}; with {@code softcap == 0} exactly
   * {@link #attention}. The default for a cap is the scalar reference {@link ScalarKernels#attentionScalar}.
   */
  default void attention(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values,
      int valueOff, int valueStride, int from, int to, float scale, float softcap, float[] scores, float[] out,
      int outOff) {
    if (softcap == 0) {
      attention(q, qOff, heads, headDim, keys, keyOff, values, valueOff, valueStride, from, to, scale, scores, out, outOff);
    } else {
      ScalarKernels.attentionScalar(q, qOff, heads, headDim, keys, keyOff, values, valueOff, valueStride, from, to, scale,
          softcap, scores, out, outOff);
    }
  }

  /**
   * {@link #attention} with soft-capping (see below) and two per-head terms that some families add to the
   * scores; {@code alibiSlopes} and {@code sinks} are indexed by query head, head {@code h} of this group being
   * {@code headOff + h}, and either may be {@code null} (none):
   * <ul>
   *   <li>ALiBi (BLOOM): {@code score_p += alibiSlopes[headOff + h] * (p - (to - 1))}, a penalty growing with the
   *       distance from the query, which is the newest visible position {@code to - 1};
   *   <li>attention sinks (GPT-OSS): the softmax runs over the scores and one more logit {@code sinks[headOff + h]},
   *       which is dropped afterwards, so a head's weights sum to less than 1.
   * </ul>
   * Soft-capping, when {@code softcap != 0}, applies to {@code scale * q·k} before the ALiBi term. Without
   * either term this is {@link #attention(float[], int, int, int, float[], int, float[], int, int, int, int, float,
   * float, float[], float[], int)}; the default with a term is the scalar reference
   * {@link ScalarKernels#attentionScalar(float[], int, int, int, float[], int, float[], int, int, int, int, float, float,
   * float[], float[], int, float[], float[], int)}.
   */
  default void attention(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values,
      int valueOff, int valueStride, int from, int to, float scale, float softcap, float[] alibiSlopes, float[] sinks,
      int headOff, float[] scores, float[] out, int outOff) {
    if (alibiSlopes == null && sinks == null) {
      attention(q, qOff, heads, headDim, keys, keyOff, values, valueOff, valueStride, from, to, scale, softcap, scores, out,
          outOff);
    } else {
      ScalarKernels.attentionScalar(q, qOff, heads, headDim, keys, keyOff, values, valueOff, valueStride, from, to, scale,
          softcap, alibiSlopes, sinks, headOff, scores, out, outOff);
    }
  }

  /**
   * GeGLU with the tanh approximation of GELU ({@code gelu_pytorch_tanh}):
   * {@code gate[off+i] = 0.5·g·(1 + tanh(sqrt(2/π)·(g + 0.044715·g³))) * up[off+i]}. The default is the scalar
   * reference {@link ScalarKernels#geluTanhMulScalar}.
   */
  default void geluTanhMul(float[] gate, float[] up, int off, int n) {
    ScalarKernels.geluTanhMulScalar(gate, up, off, n);
  }

  /**
   * GPT-OSS's clamped SwiGLU: {@code g = min(gate, limit)}, {@code u = clamp(up, -limit, limit)},
   * {@code gate[off+i] = (u + 1) · g · σ(alpha · g)}. The default is the scalar reference
   * {@link ScalarKernels#clampedSwigluMulScalar}.
   */
  default void clampedSwigluMul(float[] gate, float[] up, int off, int n, float alpha, float limit) {
    ScalarKernels.clampedSwigluMulScalar(gate, up, off, n, alpha, limit);
  }

  /**
   * Soft-capping (Gemma 2): {@code x[off+i] = cap * tanh(x[off+i] / cap)}. The default is the scalar reference
   * {@link ScalarKernels#softcapScalar}.
   */
  default void softcap(float[] x, int off, int n, float cap) {
    ScalarKernels.softcapScalar(x, off, n, cap);
  }
  /**
   * LayerNorm ({@code torch.nn.LayerNorm}): {@code out[i] = (x[i] - mean) / sqrt(var + eps) * weight[i] + bias[i]} with
   * the biased variance, computed in two passes in float; {@code bias} may be {@code null} (none). BERT, Falcon, BLOOM.
   * The default is the scalar reference {@link ScalarKernels#layerNormScalar}.
   */
  default void layerNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n, float eps) {
    ScalarKernels.layerNormScalar(out, outOff, x, xOff, weight, bias, n, eps);
  }

  /**
   * GELU in its exact form, in place: {@code x = 0.5·x·(1 + erf(x/√2))} (PyTorch's default {@code gelu}; BERT, Falcon),
   * with erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26). The default is the scalar reference
   * {@link ScalarKernels#geluScalar}.
   */
  default void gelu(float[] x, int off, int n) {
    ScalarKernels.geluScalar(x, off, n);
  }

  /**
   * GELU with the tanh approximation, in place: {@code x = 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))}
   * ({@code gelu_new}, {@code gelu_pytorch_tanh}, BLOOM's {@code bloom_gelu}). The default is the scalar reference
   * {@link ScalarKernels#geluTanhScalar}.
   */
  default void geluTanh(float[] x, int off, int n) {
    ScalarKernels.geluTanhScalar(x, off, n);
  }
}
