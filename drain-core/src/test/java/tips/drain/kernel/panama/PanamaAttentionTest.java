package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.KernelTestData.assertClose;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tips.drain.kernel.Kernels;
import tips.drain.kernel.KeyTiles;
import tips.drain.kernel.ScalarKernels;

/** Panama GQA attention against the scalar reference, at every width, with windows and offsets. */
class PanamaAttentionTest {
  private static final Kernels SCALAR = new ScalarKernels();

  static Stream<Integer> widths() {
    return PanamaKernelsLoader.widths().stream();
  }

  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void attentionMatchesScalar(int bits) {
    compareWithScalar(bits, 0f, 1f, false, false);
  }

  /** BLOOM's ALiBi slopes and GPT-OSS's sinks, each alone and together, on odd group sizes and head dims. */
  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void alibiAndSinksMatchScalar(int bits) {
    compareWithScalar(bits, 0f, 1f, true, false);
    compareWithScalar(bits, 0f, 1f, false, true);
    compareWithScalar(bits, 0f, 1f, true, true);
  }

  /** Gemma 2's soft-capped scores: queries scaled up so that scores reach and pass the cap. */
  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void softcappedAttentionMatchesScalar(int bits) {
    compareWithScalar(bits, 10f, 12f, false, false);
  }

  private static void compareWithScalar(int bits, float softcap, float queryScale, boolean alibi, boolean sinks) {
    Kernels panama = PanamaKernelsLoader.load(bits);
    Random rnd = new Random(bits);
    // {heads in group, head dim, kv heads, from, to}
    int[][] cases = {{1, 64, 1, 0, 1}, {4, 64, 4, 0, 13}, {8, 128, 2, 3, 207}, {3, 13, 3, 0, 5}, {2, 80, 5, 100, 702},
        {8, 64, 4, 17, 33}, {8, 64, 4, 5, 9}, {4, 32, 2, 31, 32}};
    for (int[] c : cases) {
      int heads = c[0];
      int headDim = c[1];
      int kvHeads = c[2];
      int from = c[3];
      int to = c[4];
      int kvStride = kvHeads * headDim;
      int kvHead = kvHeads - 1; // the last KV head: a non-zero kvOff
      float[] keys = KernelTestData.floats(rnd, to * kvStride);
      float[] values = KernelTestData.floats(rnd, to * kvStride);
      int qOff = 5;
      float[] q = KernelTestData.floats(rnd, qOff + heads * headDim);
      for (int i = 0; i < q.length; i++) {
        q[i] *= queryScale;
      }
      float scale = (float) (1 / Math.sqrt(headDim));
      int len = to - from;
      float[] wantScores = new float[heads * len];
      float[] gotScores = new float[heads * len];
      float[] want = new float[2 + heads * headDim];
      float[] got = new float[2 + heads * headDim];
      float[] tiledKeys = KeyTiles.tile(keys, to, kvHeads, headDim);
      int keyOff = KeyTiles.offset(to, kvHead, headDim);
      // per query head of the layer; this group's heads start at headOff
      int headOff = 1;
      float[] slopes = alibi ? KernelTestData.floats(rnd, headOff + heads) : null;
      float[] sinkLogits = sinks ? KernelTestData.floats(rnd, headOff + heads) : null;
      if (sinks) {
        sinkLogits[headOff] = 40f; // a sink above every score: the max comes from the sink
      }
      SCALAR.attention(q, qOff, heads, headDim, tiledKeys, keyOff, values, kvHead * headDim, kvStride, from, to, scale, softcap,
          slopes, sinkLogits, headOff, wantScores, want, 2);
      panama.attention(q, qOff, heads, headDim, tiledKeys, keyOff, values, kvHead * headDim, kvStride, from, to, scale, softcap,
          slopes, sinkLogits, headOff, gotScores, got, 2);
      // softmax turns an ulp-level difference in a score (up to ~10 here) into a relative one in exp: allow 8x
      String what = panama.name() + " softcap " + softcap + " alibi " + alibi + " sinks " + sinks + " heads " + heads + " dim " + headDim + " [" + from + "," + to + ")";
      for (int i = 0; i < wantScores.length; i++) {
        assertClose(wantScores[i], gotScores[i], Math.abs(wantScores[i]) * 8, what + " score " + i);
      }
      for (int h = 0; h < heads; h++) {
        for (int d = 0; d < headDim; d++) {
          double magnitude = 0; // Σ_p p·|v_p[d]|
          for (int p = from; p < to; p++) {
            magnitude += wantScores[h * len + p - from] * Math.abs(values[kvHead * headDim + p * kvStride + d]);
          }
          int i = 2 + h * headDim + d;
          assertClose(want[i], got[i], magnitude * 8, what + " out head " + h + " dim " + d);
        }
      }
    }
  }
}
