package tips.drain.quant;

import static tips.drain.quant.KQuants.nearestInt;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml's reference quantization of the K-quant super-blocks ({@code quantize_row_q4_K_ref}, {@code _q5_K_ref},
 * {@code _q6_K_ref}: what {@code llama-quantize} runs without an importance matrix), operation for operation in
 * float so that the bytes come out as llama.cpp's:
 * <ul>
 *   <li>Q4_K / Q5_K: per 32 weights a scale and a minimum fitted by {@link #fitScaleAndMin} (ggml's
 *       {@code make_qkx2_quants}: a grid of candidate scales, each refined by weighted least squares, the
 *       one of least weighted squared error kept), then both quantized to 6 bits against the largest, and
 *       the weights quantized again against the stored scales.
 *   <li>Q6_K: per 16 weights a scale fitted by {@link #fitScale} (ggml's {@code make_qx_quants} with
 *       {@code x²} weights: 19 candidate scales around {@code -32 / max}), quantized to int8 against the
 *       largest, then the weights quantized against the stored scales.
 * </ul>
 */
final class KQuantizer {
  /** ggml's {@code GROUP_MAX_EPS}: groups whose largest magnitude is below it are all zero. */
  private static final float GROUP_MAX_EPS = 1e-15f;

  private KQuantizer() {}

  /** One Q4_K ({@code fifthBit} false) or Q5_K super-block of {@code x[from .. from + 256)} into {@code dst[o]}. */
  static void quantize45(float[] x, int from, MemorySegment dst, long o, boolean fifthBit) {
    int nmax = fifthBit ? 31 : 15;
    byte[] levels = new byte[256];
    byte[] aux = new byte[32];
    float[] weights = new float[32];
    float[] mins = new float[8];
    float[] scales = new float[8];
    float maxScale = 0f;
    float maxMin = 0f;
    for (int j = 0; j < 8; j++) {
      int at = from + 32 * j;
      float sumX2 = 0f;
      for (int l = 0; l < 32; l++) {
        sumX2 += x[at + l] * x[at + l];
      }
      float avX = (float) Math.sqrt(sumX2 / 32);
      for (int l = 0; l < 32; l++) {
        weights[l] = avX + Math.abs(x[at + l]);
      }
      float[] min = new float[1];
      scales[j] = fifthBit
          ? fitScaleAndMin(32, nmax, x, at, weights, levels, 32 * j, min, aux, -0.5f, 0.1f, 15)
          : fitScaleAndMin(32, nmax, x, at, weights, levels, 32 * j, min, aux, -1f, 0.1f, 20);
      mins[j] = min[0];
      if (scales[j] > maxScale) {
        maxScale = scales[j];
      }
      if (mins[j] > maxMin) {
        maxMin = mins[j];
      }
    }
    float inverseScale = maxScale > 0 ? 63f / maxScale : 0f;
    float inverseMin = maxMin > 0 ? 63f / maxMin : 0f;
    byte[] packed = new byte[12];
    for (int j = 0; j < 8; j++) {
      int ls = Math.min(63, nearestInt(inverseScale * scales[j]) & 0xFF);
      int lm = Math.min(63, nearestInt(inverseMin * mins[j]) & 0xFF);
      if (j < 4) {
        packed[j] = (byte) ls;
        packed[j + 4] = (byte) lm;
      } else {
        packed[j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
        packed[j - 4] |= (byte) ((ls >> 4) << 6);
        packed[j] |= (byte) ((lm >> 4) << 6);
      }
    }
    dst.set(KQuants.F16, o, Float.floatToFloat16(maxScale / 63f));
    dst.set(KQuants.F16, o + 2, Float.floatToFloat16(maxMin / 63f));
    MemorySegment.copy(packed, 0, dst, ValueLayout.JAVA_BYTE, o + 4, 12);
    for (int j = 0; j < 8; j++) {
      int sm = KQuants.scaleMin(dst, o + 4, j);
      float d = KQuants.f16(dst, o) * (sm & 0xFF);
      if (d == 0f) {
        continue;
      }
      float dm = KQuants.f16(dst, o + 2) * (sm >>> 8);
      for (int l = 0; l < 32; l++) {
        int q = nearestInt((x[from + 32 * j + l] + dm) / d);
        levels[32 * j + l] = (byte) Math.max(0, Math.min(nmax, q));
      }
    }
    long qs = o + (fifthBit ? 48 : 16);
    for (int c = 0; c < 4; c++) {
      for (int l = 0; l < 32; l++) {
        int lo = levels[64 * c + l];
        int hi = levels[64 * c + 32 + l];
        dst.set(ValueLayout.JAVA_BYTE, qs + 32 * c + l, (byte) ((lo & 0xF) | (hi & 0xF) << 4));
      }
    }
    if (fifthBit) {
      for (int l = 0; l < 32; l++) {
        int bits = 0;
        for (int j = 0; j < 8; j++) {
          bits |= ((levels[32 * j + l] >> 4) & 1) << j;
        }
        dst.set(ValueLayout.JAVA_BYTE, o + 16 + l, (byte) bits);
      }
    }
  }

  /** One Q6_K super-block of {@code x[from .. from + 256)} into {@code dst[o]}. */
  static void quantize6(float[] x, int from, MemorySegment dst, long o) {
    byte[] levels = new byte[256];
    float[] scales = new float[16];
    float maxScale = 0f;
    float maxAbsScale = 0f;
    for (int g = 0; g < 16; g++) {
      float scale = fitScale(16, 32, x, from + 16 * g, levels, 16 * g);
      scales[g] = scale;
      if (Math.abs(scale) > maxAbsScale) {
        maxAbsScale = Math.abs(scale);
        maxScale = scale;
      }
    }
    if (maxAbsScale < GROUP_MAX_EPS) {
      dst.asSlice(o, 210).fill((byte) 0);
      return;
    }
    float iscale = -128f / maxScale;
    dst.set(KQuants.F16, o + 208, Float.floatToFloat16(1 / iscale));
    for (int g = 0; g < 16; g++) {
      dst.set(ValueLayout.JAVA_BYTE, o + 192 + g, (byte) Math.min(127, nearestInt(iscale * scales[g])));
    }
    for (int g = 0; g < 16; g++) {
      float d = KQuants.f16(dst, o + 208) * KQuants.q6Scale(dst, o, g);
      if (d == 0f) {
        continue;
      }
      for (int l = 0; l < 16; l++) {
        int q = nearestInt(x[from + 16 * g + l] / d);
        levels[16 * g + l] = (byte) (Math.max(-32, Math.min(31, q)) + 32);
      }
    }
    for (int half = 0; half < 2; half++) {
      int j = 128 * half;
      for (int l = 0; l < 32; l++) {
        int q1 = levels[j + l];
        int q2 = levels[j + l + 32];
        int q3 = levels[j + l + 64];
        int q4 = levels[j + l + 96];
        dst.set(ValueLayout.JAVA_BYTE, o + 64 * half + l, (byte) ((q1 & 0xF) | (q3 & 0xF) << 4));
        dst.set(ValueLayout.JAVA_BYTE, o + 64 * half + l + 32, (byte) ((q2 & 0xF) | (q4 & 0xF) << 4));
        dst.set(ValueLayout.JAVA_BYTE, o + 128 + 32 * half + l, (byte) ((q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6));
      }
    }
  }

  /**
   * ggml's {@code make_qkx2_quants} (squared error): levels {@code 0 .. nmax} of {@code x[at .. at + n)} into
   * {@code levels[to ..]}, the scale as the result and the minimum, negated, into {@code theMin[0]}.
   */
  static float fitScaleAndMin(int n, int nmax, float[] x, int at, float[] weights, byte[] levels, int to,
      float[] theMin, byte[] aux, float rmin, float rdelta, int nstep) {
    float min = x[at];
    float max = x[at];
    float sumW = weights[0];
    float sumX = sumW * x[at];
    for (int i = 1; i < n; i++) {
      if (x[at + i] < min) {
        min = x[at + i];
      }
      if (x[at + i] > max) {
        max = x[at + i];
      }
      float w = weights[i];
      sumW += w;
      sumX += w * x[at + i];
    }
    if (min > 0) {
      min = 0;
    }
    if (max == min) {
      for (int i = 0; i < n; i++) {
        levels[to + i] = 0;
      }
      theMin[0] = -min;
      return 0f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float bestError = 0;
    for (int i = 0; i < n; i++) {
      int l = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[at + i] - min))));
      levels[to + i] = (byte) l;
      float diff = scale * l + min - x[at + i];
      bestError += weights[i] * (diff * diff);
    }
    for (int is = 0; is <= nstep; is++) {
      iscale = (rmin + rdelta * is + nmax) / (max - min);
      float sumL = 0;
      float sumL2 = 0;
      float sumXL = 0;
      for (int i = 0; i < n; i++) {
        int l = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[at + i] - min))));
        aux[i] = (byte) l;
        float w = weights[i];
        sumL += w * l;
        sumL2 += w * l * l;
        sumXL += w * l * x[at + i];
      }
      float det = sumW * sumL2 - sumL * sumL;
      if (det > 0) {
        float thisScale = (sumW * sumXL - sumX * sumL) / det;
        float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
        if (thisMin > 0) {
          thisMin = 0;
          thisScale = sumXL / sumL2;
        }
        float error = 0;
        for (int i = 0; i < n; i++) {
          float diff = thisScale * aux[i] + thisMin - x[at + i];
          error += weights[i] * (diff * diff);
        }
        if (error < bestError) {
          System.arraycopy(aux, 0, levels, to, n);
          bestError = error;
          scale = thisScale;
          min = thisMin;
        }
      }
    }
    theMin[0] = -min;
    return scale;
  }

  /**
   * ggml's {@code make_qx_quants} with {@code rmse_type} 1 and no importance: levels {@code 0 .. 2·nmax - 1}
   * (signed level + nmax) of {@code x[at .. at + n)} into {@code levels[to ..]}, the scale as the result.
   */
  static float fitScale(int n, int nmax, float[] x, int at, byte[] levels, int to) {
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; i++) {
      float ax = Math.abs(x[at + i]);
      if (ax > amax) {
        amax = ax;
        max = x[at + i];
      }
    }
    if (amax < GROUP_MAX_EPS) {
      for (int i = 0; i < n; i++) {
        levels[to + i] = 0;
      }
      return 0f;
    }
    float iscale = -nmax / max;
    float sumLX = 0;
    float sumL2 = 0;
    for (int i = 0; i < n; i++) {
      int l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[at + i])));
      levels[to + i] = (byte) (l + nmax);
      float w = x[at + i] * x[at + i];
      sumLX += w * x[at + i] * l;
      sumL2 += w * l * l;
    }
    float scale = sumL2 != 0 ? sumLX / sumL2 : 0f;
    float best = scale * sumLX;
    for (int is = -9; is <= 9; is++) {
      if (is == 0) {
        continue;
      }
      iscale = -(nmax + 0.1f * is) / max;
      sumLX = 0;
      sumL2 = 0;
      for (int i = 0; i < n; i++) {
        int l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[at + i])));
        float w = x[at + i] * x[at + i];
        sumLX += w * x[at + i] * l;
        sumL2 += w * l * l;
      }
      if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
        for (int i = 0; i < n; i++) {
          int l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[at + i])));
          levels[to + i] = (byte) (l + nmax);
        }
        scale = sumLX / sumL2;
        best = scale * sumLX;
      }
    }
    return scale;
  }
}
