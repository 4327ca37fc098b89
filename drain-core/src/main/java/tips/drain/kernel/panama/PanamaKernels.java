package tips.drain.kernel.panama;

import java.lang.foreign.MemorySegment;
import tips.drain.kernel.Kernels;
import tips.drain.tensor.DType;

/**
 * The Vector API kernels ({@code jdk.incubator.vector}), loaded reflectively by
 * {@code tips.drain.kernel.KernelProvider} only when the module is present. The vector width is chosen
 * once in {@link PanamaSpecies}. Each kernel lives in a class of its own and has its reference in
 * {@code tips.drain.kernel.ScalarKernels}.
 */
public final class PanamaKernels implements Kernels {

  /** Called reflectively by the kernel provider. */
  public PanamaKernels() {}

  @Override
  public String name() {
    return "panama-" + PanamaSpecies.BITS;
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    return PanamaVectorOps.dot(a, aOff, b, bOff, n);
  }

  @Override
  public void matvec(DType type, MemorySegment w, int cols, float[] x, float[] out, int rowFrom, int rowTo) {
    PanamaMatVec.matvec(type, w, cols, x, out, rowFrom, rowTo);
  }

  @Override
  public void matvecs(DType type, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    PanamaMatVecs.matvecs(type, w, rows, cols, x, batch, out, rowFrom, rowTo);
  }

  @Override
  public void matmul(DType type, MemorySegment w, int rows, int cols, float[] x, int batch, float[] out, int rowFrom, int rowTo) {
    if (batch == 1) {
      PanamaMatVec.matvec(type, w, cols, x, out, rowFrom, rowTo);
    } else {
      PanamaGemm.matmul(type, w, rows, cols, x, batch, out, rowFrom, rowTo);
    }
  }

  @Override
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    PanamaVectorOps.axpy(a, x, xOff, y, yOff, n);
  }

  @Override
  public void add(float[] y, int yOff, float[] x, int xOff, int n) {
    PanamaVectorOps.add(y, yOff, x, xOff, n);
  }

  @Override
  public void scale(float[] x, int off, int n, float s) {
    PanamaVectorOps.scale(x, off, n, s);
  }

  @Override
  public void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float weightOffset, int n, float eps) {
    PanamaVectorOps.rmsnorm(out, outOff, x, xOff, weight, weightOffset, n, eps);
  }

  @Override
  public void softmax(float[] x, int off, int n) {
    PanamaVectorOps.softmax(x, off, n);
  }

  @Override
  public void siluMul(float[] gate, float[] up, int off, int n) {
    PanamaVectorOps.siluMul(gate, up, off, n);
  }

  @Override
  public void attention(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values, int valueOff,
      int valueStride, int from, int to, float scale, float[] scores, float[] out, int outOff) {
    PanamaAttention.attention(q, qOff, heads, headDim, keys, keyOff, values, valueOff, valueStride, from, to, scale, 0f,
        scores, out, outOff);
  }

  @Override
  public void attention(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values, int valueOff,
      int valueStride, int from, int to, float scale, float softcap, float[] scores, float[] out, int outOff) {
    PanamaAttention.attention(q, qOff, heads, headDim, keys, keyOff, values, valueOff, valueStride, from, to, scale, softcap,
        scores, out, outOff);
  }

  @Override
  public void attention(float[] q, int qOff, int heads, int headDim, float[] keys, int keyOff, float[] values, int valueOff,
      int valueStride, int from, int to, float scale, float softcap, float[] alibiSlopes, float[] sinks, int headOff,
      float[] scores, float[] out, int outOff) {
    PanamaAttention.attention(q, qOff, heads, headDim, keys, keyOff, values, valueOff, valueStride, from, to, scale, softcap,
        alibiSlopes, sinks, headOff, scores, out, outOff);
  }

  @Override
  public void geluTanhMul(float[] gate, float[] up, int off, int n) {
    PanamaVectorOps.geluTanhMul(gate, up, off, n);
  }

  @Override
  public void clampedSwigluMul(float[] gate, float[] up, int off, int n, float alpha, float limit) {
    PanamaVectorOps.clampedSwigluMul(gate, up, off, n, alpha, limit);
  }

  @Override
  public void softcap(float[] x, int off, int n, float cap) {
    PanamaVectorOps.softcap(x, off, n, cap);
  }

  @Override
  public void layerNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n, float eps) {
    PanamaVectorOps.layerNorm(out, outOff, x, xOff, weight, bias, n, eps);
  }

  @Override
  public void gelu(float[] x, int off, int n) {
    PanamaVectorOps.gelu(x, off, n);
  }

  @Override
  public void geluTanh(float[] x, int off, int n) {
    PanamaVectorOps.geluTanh(x, off, n);
  }
}
