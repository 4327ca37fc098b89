package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaSpecies.F;

import jdk.incubator.vector.FloatVector;

/**
 * Attention of one query position over the KV cache for one group of query heads sharing a KV head
 * (GQA). Each cached key and value row is read for the whole group while it is in cache. See
 * {@code Kernels.attention} for the exact contract; a non-zero {@code softcap} soft-caps the scores before
 * the softmax (Gemma 2).
 *
 * <p>When the head dimension is a whole number of vectors (64 and 128 are), both products run with no
 * horizontal reduction:
 * <ul>
 *   <li>scores, a block of {@code lanes} positions at a time: element {@code d} of the block's keys is
 *       gathered into one vector (lane {@code j} = position {@code p+j}), and every head of the group
 *       multiplies it by its broadcast {@code q[d]}, so a vector of scores builds up lane by lane;
 *   <li>outputs, one vector of dimensions at a time: each position's values are multiplied by the
 *       broadcast weights of up to four heads into accumulators that stay in registers across positions.
 * </ul>
 * Other head dimensions, and the positions after the last whole block, take one dot product per head and
 * position.
 */
final class PanamaAttention {
  private PanamaAttention() {}

  static void attention(float[] q, int qOff, int heads, int headDim, float[] keyCache, float[] valueCache, int kvOff,
      int kvStride, int from, int to, float scale, float softcap, float[] scores, float[] out, int outOff) {
    int len = to - from;
    boolean blocked = headDim % F.length() == 0;
    // scores[h][p] = scale * q_h · k_p
    int p = blocked ? blockedScores(q, qOff, heads, headDim, keyCache, kvOff, kvStride, from, to, scale, scores) : from;
    for (; p < to; p++) {
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
    if (blocked) {
      blockedOutputs(heads, headDim, valueCache, kvOff, kvStride, from, to, scores, out, outOff);
      return;
    }
    java.util.Arrays.fill(out, outOff, outOff + heads * headDim, 0f);
    for (p = from; p < to; p++) {
      int v = kvOff + p * kvStride;
      for (int h = 0; h < heads; h++) {
        PanamaVectorOps.axpy(scores[h * len + p - from], valueCache, v, out, outOff + h * headDim, headDim);
      }
    }
  }

  /**
   * The scores of the whole blocks of {@code lanes} positions from {@code from}, eight, four or one head per
   * gather; returns the first position not done.
   */
  private static int blockedScores(float[] q, int qOff, int heads, int headDim, float[] keyCache, int kvOff, int kvStride,
      int from, int to, float scale, float[] scores) {
    int lanes = F.length();
    int len = to - from;
    int[] rows = new int[lanes];
    for (int j = 0; j < lanes; j++) {
      rows[j] = j * kvStride;
    }
    int p = from;
    for (; p + lanes <= to; p += lanes) {
      int base = kvOff + p * kvStride;
      int h = 0;
      for (; h + 8 <= heads; h += 8) { // one gather for eight heads (TinyLlama, Llama 2 70B: groups of 8)
        int q0 = qOff + h * headDim;
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        FloatVector s4 = s0;
        FloatVector s5 = s0;
        FloatVector s6 = s0;
        FloatVector s7 = s0;
        for (int d = 0; d < headDim; d++) {
          FloatVector k = FloatVector.fromArray(F, keyCache, base + d, rows, 0);
          s0 = k.fma(FloatVector.broadcast(F, q[q0 + d]), s0);
          s1 = k.fma(FloatVector.broadcast(F, q[q0 + headDim + d]), s1);
          s2 = k.fma(FloatVector.broadcast(F, q[q0 + 2 * headDim + d]), s2);
          s3 = k.fma(FloatVector.broadcast(F, q[q0 + 3 * headDim + d]), s3);
          s4 = k.fma(FloatVector.broadcast(F, q[q0 + 4 * headDim + d]), s4);
          s5 = k.fma(FloatVector.broadcast(F, q[q0 + 5 * headDim + d]), s5);
          s6 = k.fma(FloatVector.broadcast(F, q[q0 + 6 * headDim + d]), s6);
          s7 = k.fma(FloatVector.broadcast(F, q[q0 + 7 * headDim + d]), s7);
        }
        int at = h * len + p - from;
        s0.mul(scale).intoArray(scores, at);
        s1.mul(scale).intoArray(scores, at + len);
        s2.mul(scale).intoArray(scores, at + 2 * len);
        s3.mul(scale).intoArray(scores, at + 3 * len);
        s4.mul(scale).intoArray(scores, at + 4 * len);
        s5.mul(scale).intoArray(scores, at + 5 * len);
        s6.mul(scale).intoArray(scores, at + 6 * len);
        s7.mul(scale).intoArray(scores, at + 7 * len);
      }
      for (; h + 4 <= heads; h += 4) {
        int q0 = qOff + h * headDim;
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int d = 0; d < headDim; d++) {
          FloatVector k = FloatVector.fromArray(F, keyCache, base + d, rows, 0);
          s0 = k.fma(FloatVector.broadcast(F, q[q0 + d]), s0);
          s1 = k.fma(FloatVector.broadcast(F, q[q0 + headDim + d]), s1);
          s2 = k.fma(FloatVector.broadcast(F, q[q0 + 2 * headDim + d]), s2);
          s3 = k.fma(FloatVector.broadcast(F, q[q0 + 3 * headDim + d]), s3);
        }
        int at = h * len + p - from;
        s0.mul(scale).intoArray(scores, at);
        s1.mul(scale).intoArray(scores, at + len);
        s2.mul(scale).intoArray(scores, at + 2 * len);
        s3.mul(scale).intoArray(scores, at + 3 * len);
      }
      for (; h < heads; h++) {
        int q0 = qOff + h * headDim;
        FloatVector s0 = FloatVector.zero(F);
        for (int d = 0; d < headDim; d++) {
          s0 = FloatVector.fromArray(F, keyCache, base + d, rows, 0).fma(FloatVector.broadcast(F, q[q0 + d]), s0);
        }
        s0.mul(scale).intoArray(scores, h * len + p - from);
      }
    }
    return p;
  }

  /** {@code out_h = Σ_p scores[h][p] · v_p}, one vector of dimensions and four or one head at a time. */
  private static void blockedOutputs(int heads, int headDim, float[] valueCache, int kvOff, int kvStride, int from, int to,
      float[] scores, float[] out, int outOff) {
    int lanes = F.length();
    int len = to - from;
    for (int c = 0; c < headDim; c += lanes) {
      int h = 0;
      for (; h + 4 <= heads; h += 4) {
        int w = h * len - from;
        FloatVector o0 = FloatVector.zero(F);
        FloatVector o1 = o0;
        FloatVector o2 = o0;
        FloatVector o3 = o0;
        for (int p = from; p < to; p++) {
          FloatVector v = FloatVector.fromArray(F, valueCache, kvOff + p * kvStride + c);
          o0 = v.fma(FloatVector.broadcast(F, scores[w + p]), o0);
          o1 = v.fma(FloatVector.broadcast(F, scores[w + len + p]), o1);
          o2 = v.fma(FloatVector.broadcast(F, scores[w + 2 * len + p]), o2);
          o3 = v.fma(FloatVector.broadcast(F, scores[w + 3 * len + p]), o3);
        }
        int at = outOff + h * headDim + c;
        o0.intoArray(out, at);
        o1.intoArray(out, at + headDim);
        o2.intoArray(out, at + 2 * headDim);
        o3.intoArray(out, at + 3 * headDim);
      }
      for (; h < heads; h++) {
        int w = h * len - from;
        FloatVector o0 = FloatVector.zero(F);
        for (int p = from; p < to; p++) {
          o0 = FloatVector.fromArray(F, valueCache, kvOff + p * kvStride + c).fma(FloatVector.broadcast(F, scores[w + p]), o0);
        }
        o0.intoArray(out, outOff + h * headDim + c);
      }
    }
  }
}
