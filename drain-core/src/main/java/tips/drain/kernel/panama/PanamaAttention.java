package tips.drain.kernel.panama;

/**
 * Attention of one query position over the KV cache for one group of query heads sharing a KV head
 * (GQA). Each cached key and value row is read from memory once for the whole group: all heads of the
 * group use it while it is in L1. See {@code Kernels.attention} for the exact contract; a non-zero
 * {@code softcap} soft-caps the scores before the softmax (Gemma 2).
 */
final class PanamaAttention {
  private PanamaAttention() {}

  static void attention(float[] q, int qOff, int heads, int headDim, float[] keyCache, float[] valueCache, int kvOff,
      int kvStride, int from, int to, float scale, float softcap, float[] scores, float[] out, int outOff) {
    int len = to - from;
    // scores[h][p] = scale * q_h · k_p
    for (int p = from; p < to; p++) {
      int k = kvOff + p * kvStride;
      for (int h = 0; h < heads; h++) {
        scores[h * len + p - from] = scale * PanamaVectorOps.dot(q, qOff + h * headDim, keyCache, k, headDim);
      }
    }
    if (softcap != 0) {
      PanamaVectorOps.softcap(scores, 0, heads * len, softcap);
    }
    for (int h = 0; h < heads; h++) {
      PanamaVectorOps.softmax(scores, h * len, len);
    }
    // out_h = sum_p scores[h][p] * v_p
    java.util.Arrays.fill(out, outOff, outOff + heads * headDim, 0f);
    for (int p = from; p < to; p++) {
      int v = kvOff + p * kvStride;
      for (int h = 0; h < heads; h++) {
        PanamaVectorOps.axpy(scores[h * len + p - from], valueCache, v, out, outOff + h * headDim, headDim);
      }
    }
  }
}
