package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaSpecies.F;

import jdk.incubator.vector.FloatVector;

/**
 * The register tiles of the outer-product GEMM ({@link PanamaGemmPanel}): per column {@code k}, one
 * vector load of the panel gives {@code lanes} tokens' activations, and each of the tile's widened
 * weights is broadcast and multiplied into it. {@link #tileWide} keeps 8 rows × 2 vectors of tokens in 16
 * accumulators, so each column costs 2 vector loads and 8 broadcasts for 16 FMAs; {@link #tileNarrow}
 * serves the last, partial blocks of one vector of tokens. Written out longhand: Java keeps accumulators in
 * registers only as local variables. Measured on AVX-512 (Zen 4), 2048×2048 BF16, batch 128: 8×2 93 GFLOP/s,
 * 12×2 89, 4×4 85, 6×4 83, 8×3 72, 2×8 63: the panel's vector loads (from L2) limit, not the broadcasts.
 * The accumulators hold (row, token) sums lane by lane, so they are
 * added as vectors, not reduced, to the tile's rows in {@code sums} (row {@code i} at
 * {@code sums[o + i*tp ..]}, tokens contiguous).
 */
final class PanamaGemmOuterTiles {
  /** Weight rows per tile. */
  static final int ROWS = 8;
  /** Vectors of tokens per wide tile. */
  static final int VECTORS = 2;

  private PanamaGemmOuterTiles() {}

  /** 8 rows (widened, row {@code i} at {@code wb[i*ws ..]} from column {@code k0}) × 2 vectors of tokens, over columns {@code [k0, k1)}; the tokens' panel block starts at {@code panel[base]}. */
  static void tileWide(float[] wb, int ws, float[] panel, int base, int k0, int k1, float[] sums, int o, int tp, boolean first) {
    int lanes = F.length();
    int w0 = -k0;
    int w1 = w0 + ws;
    int w2 = w1 + ws;
    int w3 = w2 + ws;
    int w4 = w3 + ws;
    int w5 = w4 + ws;
    int w6 = w5 + ws;
    int w7 = w6 + ws;
    FloatVector acc00 = FloatVector.zero(F);
    FloatVector acc01 = FloatVector.zero(F);
    FloatVector acc10 = FloatVector.zero(F);
    FloatVector acc11 = FloatVector.zero(F);
    FloatVector acc20 = FloatVector.zero(F);
    FloatVector acc21 = FloatVector.zero(F);
    FloatVector acc30 = FloatVector.zero(F);
    FloatVector acc31 = FloatVector.zero(F);
    FloatVector acc40 = FloatVector.zero(F);
    FloatVector acc41 = FloatVector.zero(F);
    FloatVector acc50 = FloatVector.zero(F);
    FloatVector acc51 = FloatVector.zero(F);
    FloatVector acc60 = FloatVector.zero(F);
    FloatVector acc61 = FloatVector.zero(F);
    FloatVector acc70 = FloatVector.zero(F);
    FloatVector acc71 = FloatVector.zero(F);
    for (int k = k0; k < k1; k++) {
      int p = base + k * 2 * lanes;
      FloatVector x0 = FloatVector.fromArray(F, panel, p);
      FloatVector x1 = FloatVector.fromArray(F, panel, p + lanes);
      FloatVector a = FloatVector.broadcast(F, wb[w0 + k]);
      acc00 = x0.fma(a, acc00);
      acc01 = x1.fma(a, acc01);
      a = FloatVector.broadcast(F, wb[w1 + k]);
      acc10 = x0.fma(a, acc10);
      acc11 = x1.fma(a, acc11);
      a = FloatVector.broadcast(F, wb[w2 + k]);
      acc20 = x0.fma(a, acc20);
      acc21 = x1.fma(a, acc21);
      a = FloatVector.broadcast(F, wb[w3 + k]);
      acc30 = x0.fma(a, acc30);
      acc31 = x1.fma(a, acc31);
      a = FloatVector.broadcast(F, wb[w4 + k]);
      acc40 = x0.fma(a, acc40);
      acc41 = x1.fma(a, acc41);
      a = FloatVector.broadcast(F, wb[w5 + k]);
      acc50 = x0.fma(a, acc50);
      acc51 = x1.fma(a, acc51);
      a = FloatVector.broadcast(F, wb[w6 + k]);
      acc60 = x0.fma(a, acc60);
      acc61 = x1.fma(a, acc61);
      a = FloatVector.broadcast(F, wb[w7 + k]);
      acc70 = x0.fma(a, acc70);
      acc71 = x1.fma(a, acc71);
    }
    store(acc00, sums, o, first);
    store(acc01, sums, o + lanes, first);
    store(acc10, sums, o + tp, first);
    store(acc11, sums, o + tp + lanes, first);
    store(acc20, sums, o + 2 * tp, first);
    store(acc21, sums, o + 2 * tp + lanes, first);
    store(acc30, sums, o + 3 * tp, first);
    store(acc31, sums, o + 3 * tp + lanes, first);
    store(acc40, sums, o + 4 * tp, first);
    store(acc41, sums, o + 4 * tp + lanes, first);
    store(acc50, sums, o + 5 * tp, first);
    store(acc51, sums, o + 5 * tp + lanes, first);
    store(acc60, sums, o + 6 * tp, first);
    store(acc61, sums, o + 6 * tp + lanes, first);
    store(acc70, sums, o + 7 * tp, first);
    store(acc71, sums, o + 7 * tp + lanes, first);
  }

  /** 8 rows (widened, row {@code i} at {@code wb[i*ws ..]} from column {@code k0}) × 1 vector of tokens, over columns {@code [k0, k1)}; the tokens' panel block starts at {@code panel[base]}. */
  static void tileNarrow(float[] wb, int ws, float[] panel, int base, int k0, int k1, float[] sums, int o, int tp, boolean first) {
    int lanes = F.length();
    int w0 = -k0;
    int w1 = w0 + ws;
    int w2 = w1 + ws;
    int w3 = w2 + ws;
    int w4 = w3 + ws;
    int w5 = w4 + ws;
    int w6 = w5 + ws;
    int w7 = w6 + ws;
    FloatVector acc00 = FloatVector.zero(F);
    FloatVector acc10 = FloatVector.zero(F);
    FloatVector acc20 = FloatVector.zero(F);
    FloatVector acc30 = FloatVector.zero(F);
    FloatVector acc40 = FloatVector.zero(F);
    FloatVector acc50 = FloatVector.zero(F);
    FloatVector acc60 = FloatVector.zero(F);
    FloatVector acc70 = FloatVector.zero(F);
    for (int k = k0; k < k1; k++) {
      int p = base + k * lanes;
      FloatVector x0 = FloatVector.fromArray(F, panel, p);
      FloatVector a = FloatVector.broadcast(F, wb[w0 + k]);
      acc00 = x0.fma(a, acc00);
      a = FloatVector.broadcast(F, wb[w1 + k]);
      acc10 = x0.fma(a, acc10);
      a = FloatVector.broadcast(F, wb[w2 + k]);
      acc20 = x0.fma(a, acc20);
      a = FloatVector.broadcast(F, wb[w3 + k]);
      acc30 = x0.fma(a, acc30);
      a = FloatVector.broadcast(F, wb[w4 + k]);
      acc40 = x0.fma(a, acc40);
      a = FloatVector.broadcast(F, wb[w5 + k]);
      acc50 = x0.fma(a, acc50);
      a = FloatVector.broadcast(F, wb[w6 + k]);
      acc60 = x0.fma(a, acc60);
      a = FloatVector.broadcast(F, wb[w7 + k]);
      acc70 = x0.fma(a, acc70);
    }
    store(acc00, sums, o, first);
    store(acc10, sums, o + tp, first);
    store(acc20, sums, o + 2 * tp, first);
    store(acc30, sums, o + 3 * tp, first);
    store(acc40, sums, o + 4 * tp, first);
    store(acc50, sums, o + 5 * tp, first);
    store(acc60, sums, o + 6 * tp, first);
    store(acc70, sums, o + 7 * tp, first);
  }

  /** Stores (or adds, unless {@code first}) one accumulator to the tokens' sums at {@code sums[o ..]}. */
  private static void store(FloatVector acc, float[] sums, int o, boolean first) {
    (first ? acc : acc.add(FloatVector.fromArray(F, sums, o))).intoArray(sums, o);
  }
}
