package tips.drain.kernel.panama;

import static tips.drain.kernel.Kernels.KEY_TILE;
import static tips.drain.kernel.panama.PanamaSpecies.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import tips.drain.kernel.Kernels;

/**
 * Attention of one query position over the KV cache for one group of query heads sharing a KV head
 * (GQA). Each cached key and value is read for the whole group while it is in cache. See
 * {@code Kernels.attention} for the exact contract; a non-zero {@code softcap} soft-caps the scores before
 * the softmax (Gemma 2), ALiBi slopes add a distance penalty (BLOOM) and sinks add a logit per head to the
 * softmax (GPT-OSS). Neither product reduces across lanes:
 * <ul>
 *   <li>scores, a block of {@code lanes} positions at a time: the keys are stored dimension by dimension, so
 *       element {@code d} of the block's keys is one vector load (lane {@code j} = position {@code p+j}), and
 *       every head of the group multiplies it by its broadcast {@code q[d]}: a vector of scores builds up
 *       lane by lane. The last, partial block is computed whole and its extra lanes dropped;
 *   <li>outputs, one vector of dimensions at a time (when the head dimension is a whole number of vectors):
 *       each position's values are multiplied by the broadcast weights of up to four heads into accumulators
 *       that stay in registers across positions. Other head dimensions take one axpy per head and position.
 * </ul>
 */
final class PanamaAttention {
  private PanamaAttention() {}

  static void attention(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values, int valueOff,
      int valueStride, int from, int to, float scale, float softcap, float[] scores, float[] out, int outOff) {
    attention(q, qOff, heads, headDim, keys, keyOff, values, valueOff, valueStride, from, to, scale, softcap, null, null, 0,
        scores, out, outOff);
  }

  static void attention(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values, int valueOff,
      int valueStride, int from, int to, float scale, float softcap, float[] alibiSlopes, float[] sinks, int headOff,
      float[] scores, float[] out, int outOff) {
    int len = to - from;
    // scores[h][p] = scale * q_h · k_p
    scores(q, qOff, heads, headDim, keys, keyOff, from, to, scale, scores);
    if (softcap != 0) {
      PanamaVectorOps.softcap(scores, 0, heads * len, softcap);
    }
    for (int h = 0; h < heads; h++) {
      if (alibiSlopes != null) {
        PanamaVectorOps.alibi(scores, h * len, len, alibiSlopes[headOff + h]);
      }
      PanamaVectorOps.softmaxWithSink(scores, h * len, len, sinks != null ? sinks[headOff + h] : Float.NEGATIVE_INFINITY);
    }
    // out_h = sum_p scores[h][p] * v_p
    if (headDim % F.length() == 0) {
      blockedOutputs(heads, headDim, values, valueOff, valueStride, from, to, scores, out, outOff);
      return;
    }
    Arrays.fill(out, outOff, outOff + heads * headDim, 0f);
    for (int p = from; p < to; p++) {
      int v = valueOff + p * valueStride;
      for (int h = 0; h < heads; h++) {
        PanamaVectorOps.axpy(scores[h * len + p - from], values, v, out, outOff + h * headDim, headDim);
      }
    }
  }

  /**
   * The scores of positions {@code [from, to)}, in blocks of {@code lanes} positions aligned to the tiles (a
   * block never straddles two). A block that sticks out of {@code [from, to)} at either end is computed
   * whole, over keys of the same tile, and only its positions in range are kept.
   */
  private static void scores(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, int from, int to,
      float scale, float[] scores) {
    int lanes = F.length();
    int len = to - from;
    float[] partial = null;
    for (int p = from - from % lanes; p < to; p += lanes) {
      int k0 = Kernels.keyIndex(keyOff, headDim, p);
      if (p >= from && p + lanes <= to) {
        scoreBlock(q, qOff, heads, headDim, keys, k0, scale, scores, p - from, len);
        continue;
      }
      if (partial == null) {
        partial = new float[heads * lanes];
      }
      scoreBlock(q, qOff, heads, headDim, keys, k0, scale, partial, 0, lanes);
      int first = Math.max(from, p);
      int end = Math.min(to, p + lanes);
      for (int h = 0; h < heads; h++) {
        System.arraycopy(partial, h * lanes + first - p, scores, h * len + first - from, end - first);
      }
    }
  }

  /**
   * The scores of one block of {@code lanes} positions, element {@code d} of whose keys is
   * {@code keys[k0 + d * KEY_TILE ..+lanes)}: head {@code h}'s go to {@code scores[at + h * len ..+lanes)}.
   */
  private static void scoreBlock(float[] q, int qOff, int heads, int headDim, float[] keys, int k0, float scale,
      float[] scores, int at, int len) {
    int h = 0;
    for (; h + 8 <= heads; h += 8) { // one key load for eight heads (TinyLlama, Llama 2 70B: groups of 8)
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
        FloatVector k = FloatVector.fromArray(F, keys, k0 + d * KEY_TILE);
        s0 = k.fma(FloatVector.broadcast(F, q[q0 + d]), s0);
        s1 = k.fma(FloatVector.broadcast(F, q[q0 + headDim + d]), s1);
        s2 = k.fma(FloatVector.broadcast(F, q[q0 + 2 * headDim + d]), s2);
        s3 = k.fma(FloatVector.broadcast(F, q[q0 + 3 * headDim + d]), s3);
        s4 = k.fma(FloatVector.broadcast(F, q[q0 + 4 * headDim + d]), s4);
        s5 = k.fma(FloatVector.broadcast(F, q[q0 + 5 * headDim + d]), s5);
        s6 = k.fma(FloatVector.broadcast(F, q[q0 + 6 * headDim + d]), s6);
        s7 = k.fma(FloatVector.broadcast(F, q[q0 + 7 * headDim + d]), s7);
      }
      int o = h * len + at;
      s0.mul(scale).intoArray(scores, o);
      s1.mul(scale).intoArray(scores, o + len);
      s2.mul(scale).intoArray(scores, o + 2 * len);
      s3.mul(scale).intoArray(scores, o + 3 * len);
      s4.mul(scale).intoArray(scores, o + 4 * len);
      s5.mul(scale).intoArray(scores, o + 5 * len);
      s6.mul(scale).intoArray(scores, o + 6 * len);
      s7.mul(scale).intoArray(scores, o + 7 * len);
    }
    for (; h + 4 <= heads; h += 4) {
      int q0 = qOff + h * headDim;
      FloatVector s0 = FloatVector.zero(F);
      FloatVector s1 = s0;
      FloatVector s2 = s0;
      FloatVector s3 = s0;
      for (int d = 0; d < headDim; d++) {
        FloatVector k = FloatVector.fromArray(F, keys, k0 + d * KEY_TILE);
        s0 = k.fma(FloatVector.broadcast(F, q[q0 + d]), s0);
        s1 = k.fma(FloatVector.broadcast(F, q[q0 + headDim + d]), s1);
        s2 = k.fma(FloatVector.broadcast(F, q[q0 + 2 * headDim + d]), s2);
        s3 = k.fma(FloatVector.broadcast(F, q[q0 + 3 * headDim + d]), s3);
      }
      int o = h * len + at;
      s0.mul(scale).intoArray(scores, o);
      s1.mul(scale).intoArray(scores, o + len);
      s2.mul(scale).intoArray(scores, o + 2 * len);
      s3.mul(scale).intoArray(scores, o + 3 * len);
    }
    for (; h < heads; h++) {
      int q0 = qOff + h * headDim;
      FloatVector s0 = FloatVector.zero(F);
      for (int d = 0; d < headDim; d++) {
        s0 = FloatVector.fromArray(F, keys, k0 + d * KEY_TILE).fma(FloatVector.broadcast(F, q[q0 + d]), s0);
      }
      s0.mul(scale).intoArray(scores, h * len + at);
    }
  }

  /**
   * {@code out_h = Σ_p scores[h][p] · v_p}: two vectors of dimensions and four heads at a time (one head when
   * fewer are left), then one vector for a dimension count that is an odd number of vectors.
   */
  private static void blockedOutputs(int heads, int headDim, float[] values, int valueOff, int valueStride, int from, int to,
      float[] scores, float[] out, int outOff) {
    int lanes = F.length();
    int len = to - from;
    int c = 0;
    // two vectors of dimensions for four heads: eight independent chains of multiply-adds, two loads per position
    for (; c + 2 * lanes <= headDim && heads >= 4; c += 2 * lanes) {
      int h = 0;
      for (; h + 4 <= heads; h += 4) {
        int w = h * len - from;
        FloatVector o0 = FloatVector.zero(F);
        FloatVector o1 = o0;
        FloatVector o2 = o0;
        FloatVector o3 = o0;
        FloatVector o4 = o0;
        FloatVector o5 = o0;
        FloatVector o6 = o0;
        FloatVector o7 = o0;
        for (int p = from; p < to; p++) {
          int v = valueOff + p * valueStride + c;
          FloatVector va = FloatVector.fromArray(F, values, v);
          FloatVector vb = FloatVector.fromArray(F, values, v + lanes);
          FloatVector w0 = FloatVector.broadcast(F, scores[w + p]);
          FloatVector w1 = FloatVector.broadcast(F, scores[w + len + p]);
          FloatVector w2 = FloatVector.broadcast(F, scores[w + 2 * len + p]);
          FloatVector w3 = FloatVector.broadcast(F, scores[w + 3 * len + p]);
          o0 = va.fma(w0, o0);
          o1 = va.fma(w1, o1);
          o2 = va.fma(w2, o2);
          o3 = va.fma(w3, o3);
          o4 = vb.fma(w0, o4);
          o5 = vb.fma(w1, o5);
          o6 = vb.fma(w2, o6);
          o7 = vb.fma(w3, o7);
        }
        int at = outOff + h * headDim + c;
        o0.intoArray(out, at);
        o1.intoArray(out, at + headDim);
        o2.intoArray(out, at + 2 * headDim);
        o3.intoArray(out, at + 3 * headDim);
        o4.intoArray(out, at + lanes);
        o5.intoArray(out, at + headDim + lanes);
        o6.intoArray(out, at + 2 * headDim + lanes);
        o7.intoArray(out, at + 3 * headDim + lanes);
      }
      for (; h < heads; h++) {
        int w = h * len - from;
        FloatVector o0 = FloatVector.zero(F);
        FloatVector o1 = o0;
        for (int p = from; p < to; p++) {
          FloatVector weight = FloatVector.broadcast(F, scores[w + p]);
          int v = valueOff + p * valueStride + c;
          o0 = FloatVector.fromArray(F, values, v).fma(weight, o0);
          o1 = FloatVector.fromArray(F, values, v + lanes).fma(weight, o1);
        }
        o0.intoArray(out, outOff + h * headDim + c);
        o1.intoArray(out, outOff + h * headDim + c + lanes);
      }
    }
    for (; c < headDim; c += lanes) {
      int h = 0;
      for (; h + 4 <= heads; h += 4) {
        int w = h * len - from;
        FloatVector o0 = FloatVector.zero(F);
        FloatVector o1 = o0;
        FloatVector o2 = o0;
        FloatVector o3 = o0;
        for (int p = from; p < to; p++) {
          FloatVector v = FloatVector.fromArray(F, values, valueOff + p * valueStride + c);
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
          o0 = FloatVector.fromArray(F, values, valueOff + p * valueStride + c).fma(FloatVector.broadcast(F, scores[w + p]), o0);
        }
        o0.intoArray(out, outOff + h * headDim + c);
      }
    }
  }
}
