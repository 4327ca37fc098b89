package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaSpecies.F;
import static tips.drain.kernel.panama.PanamaSpecies.I;

import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Transposes of square blocks of {@code lanes × lanes} floats with two-source permutes, no gathers or
 * scatters: {@code log2(lanes)} passes, each of which swaps, in every pair of rows {@code (i, i + s)}, the
 * lanes of {@code a_i} whose bit {@code s} is set with the lanes of {@code a_(i+s)} whose bit {@code s} is
 * clear (a block transpose of 2×2 blocks of {@code s × s}). The first pass reads the source, the last
 * writes the destination, the passes between work in a scratch block that stays in L1.
 */
final class PanamaTransposes {
  /** Per pass {@code s}: the lanes of the new row {@code i}, as indexes into {@code (a_i, a_(i+s))}. */
  private static final int[][] LOW = indexes(true);
  /** Per pass {@code s}: the lanes of the new row {@code i + s}. */
  private static final int[][] HIGH = indexes(false);

  /** Lane {@code j}: {@code 2j}, the even elements of {@code (a, b)}. */
  private static final int[] EVEN = IntStream.range(0, F.length()).map(j -> 2 * j).toArray();

  private PanamaTransposes() {}

  /** A scratch block for {@link #block}. */
  static float[] scratch() {
    return new float[F.length() * F.length()];
  }

  /**
   * Writes the transpose of the block at {@code src[so + i*ss + j]} ({@code i, j < lanes}) to
   * {@code dst[d0 + j*ds + i]}.
   */
  static void block(float[] src, int so, int ss, float[] dst, int d0, int ds, float[] scratch) {
    int n = F.length();
    for (int s = n / 2; s >= 1; s >>= 1) {
      IntVector low = IntVector.fromArray(I, LOW[s], 0);
      IntVector high = IntVector.fromArray(I, HIGH[s], 0);
      boolean firstPass = s == n / 2;
      boolean lastPass = s == 1;
      for (int i = 0; i < n; i++) {
        if ((i & s) == 0) {
          float[] from = firstPass ? src : scratch;
          int fo = firstPass ? so : 0;
          int fs = firstPass ? ss : n;
          IntVector a = FloatVector.fromArray(F, from, fo + i * fs).reinterpretAsInts();
          IntVector b = FloatVector.fromArray(F, from, fo + (i + s) * fs).reinterpretAsInts();
          float[] to = lastPass ? dst : scratch;
          int to0 = lastPass ? d0 : 0;
          int ts = lastPass ? ds : n;
          low.selectFrom(a, b).reinterpretAsFloats().intoArray(to, to0 + i * ts);
          high.selectFrom(a, b).reinterpretAsFloats().intoArray(to, to0 + (i + s) * ts);
        }
      }
    }
  }

  /**
   * Copies the {@code 2·lanes} floats at {@code x[xOff ..]} to {@code dst[dstOff ..]} as the even elements followed
   * by the odd ones (the order of {@link PanamaHalfFloats#deinterleave}).
   */
  static void deinterleave(float[] x, int xOff, float[] dst, int dstOff) {
    int n = F.length();
    IntVector a = FloatVector.fromArray(F, x, xOff).reinterpretAsInts();
    IntVector b = FloatVector.fromArray(F, x, xOff + n).reinterpretAsInts();
    IntVector.fromArray(I, EVEN, 0).selectFrom(a, b).reinterpretAsFloats().intoArray(dst, dstOff);
    IntVector.fromArray(I, EVEN, 0).add(1).selectFrom(a, b).reinterpretAsFloats().intoArray(dst, dstOff + n);
  }

  private static int[][] indexes(boolean low) {
    int n = F.length();
    int[][] indexes = new int[n][n];
    for (int s = 1; s < n; s <<= 1) {
      for (int j = 0; j < n; j++) {
        // lanes below n come from a_i, lanes from n on from a_(i+s)
        indexes[s][j] = low ? ((j & s) == 0 ? j : j - s + n) : ((j & s) == 0 ? j + s : j + n);
      }
    }
    return indexes;
  }
}
