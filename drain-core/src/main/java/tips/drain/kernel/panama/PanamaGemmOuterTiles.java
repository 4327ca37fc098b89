package tips.drain.kernel.panama;

import static tips.drain.kernel.panama.PanamaSpecies.F;

import jdk.incubator.vector.FloatVector;

/**
 * The register tiles of the outer-product GEMM ({@link PanamaGemmPanel}): per column {@code k}, one
 * vector load of the panel gives {@code lanes} tokens' activations, and each of the tile's widened
 * weights is broadcast and multiplied into it. {@link #tileWide} keeps 4 rows × 4 vectors of tokens in 16
 * accumulators, so each column costs 4 vector loads and 4 broadcasts for 16 FMAs; {@link #tileNarrow}
 * serves the last, partial blocks of one vector of tokens. Written out longhand: Java keeps accumulators in
 * registers only as local variables. The accumulators hold (row, token) sums lane by lane, so they are
 * added as vectors, not reduced, to the tile's rows in {@code sums} (row {@code i} at
 * {@code sums[o + i*tp ..]}, tokens contiguous).
 */
final class PanamaGemmOuterTiles {
  /** Weight rows per tile. */
  static final int ROWS = 4;
  /** Vectors of tokens per wide tile. */
  static final int VECTORS = 4;

  private PanamaGemmOuterTiles() {}

  /** 4 rows (widened, row {@code i} at {@code wb[i*ws ..]} from column {@code k0}) × 4 vectors of tokens, over columns {@code [k0, k1)}; the tokens' panel block starts at {@code panel[base]}. */
  static void tileWide(float[] wb, int ws, float[] panel, int base, int k0, int k1, float[] sums, int o, int tp, boolean first) {
    int lanes = F.length();
    int w0 = -k0;
    int w1 = w0 + ws;
    int w2 = w1 + ws;
    int w3 = w2 + ws;
    FloatVector acc00 = FloatVector.zero(F);
    FloatVector acc01 = FloatVector.zero(F);
    FloatVector acc02 = FloatVector.zero(F);
    FloatVector acc03 = FloatVector.zero(F);
    FloatVector acc10 = FloatVector.zero(F);
    FloatVector acc11 = FloatVector.zero(F);
    FloatVector acc12 = FloatVector.zero(F);
    FloatVector acc13 = FloatVector.zero(F);
    FloatVector acc20 = FloatVector.zero(F);
    FloatVector acc21 = FloatVector.zero(F);
    FloatVector acc22 = FloatVector.zero(F);
    FloatVector acc23 = FloatVector.zero(F);
    FloatVector acc30 = FloatVector.zero(F);
    FloatVector acc31 = FloatVector.zero(F);
    FloatVector acc32 = FloatVector.zero(F);
    FloatVector acc33 = FloatVector.zero(F);
    for (int k = k0; k < k1; k++) {
      int p = base + k * 4 * lanes;
      FloatVector x0 = FloatVector.fromArray(F, panel, p);
      FloatVector x1 = FloatVector.fromArray(F, panel, p + lanes);
      FloatVector x2 = FloatVector.fromArray(F, panel, p + 2 * lanes);
      FloatVector x3 = FloatVector.fromArray(F, panel, p + 3 * lanes);
      FloatVector a = FloatVector.broadcast(F, wb[w0 + k]);
      acc00 = x0.fma(a, acc00);
      acc01 = x1.fma(a, acc01);
      acc02 = x2.fma(a, acc02);
      acc03 = x3.fma(a, acc03);
      a = FloatVector.broadcast(F, wb[w1 + k]);
      acc10 = x0.fma(a, acc10);
      acc11 = x1.fma(a, acc11);
      acc12 = x2.fma(a, acc12);
      acc13 = x3.fma(a, acc13);
      a = FloatVector.broadcast(F, wb[w2 + k]);
      acc20 = x0.fma(a, acc20);
      acc21 = x1.fma(a, acc21);
      acc22 = x2.fma(a, acc22);
      acc23 = x3.fma(a, acc23);
      a = FloatVector.broadcast(F, wb[w3 + k]);
      acc30 = x0.fma(a, acc30);
      acc31 = x1.fma(a, acc31);
      acc32 = x2.fma(a, acc32);
      acc33 = x3.fma(a, acc33);
    }
    store(acc00, sums, o, first);
    store(acc01, sums, o + lanes, first);
    store(acc02, sums, o + 2 * lanes, first);
    store(acc03, sums, o + 3 * lanes, first);
    store(acc10, sums, o + tp, first);
    store(acc11, sums, o + tp + lanes, first);
    store(acc12, sums, o + tp + 2 * lanes, first);
    store(acc13, sums, o + tp + 3 * lanes, first);
    store(acc20, sums, o + 2 * tp, first);
    store(acc21, sums, o + 2 * tp + lanes, first);
    store(acc22, sums, o + 2 * tp + 2 * lanes, first);
    store(acc23, sums, o + 2 * tp + 3 * lanes, first);
    store(acc30, sums, o + 3 * tp, first);
    store(acc31, sums, o + 3 * tp + lanes, first);
    store(acc32, sums, o + 3 * tp + 2 * lanes, first);
    store(acc33, sums, o + 3 * tp + 3 * lanes, first);
  }

  /** 4 rows (widened, row {@code i} at {@code wb[i*ws ..]} from column {@code k0}) × 1 vector of tokens, over columns {@code [k0, k1)}; the tokens' panel block starts at {@code panel[base]}. */
  static void tileNarrow(float[] wb, int ws, float[] panel, int base, int k0, int k1, float[] sums, int o, int tp, boolean first) {
    int lanes = F.length();
    int w0 = -k0;
    int w1 = w0 + ws;
    int w2 = w1 + ws;
    int w3 = w2 + ws;
    FloatVector acc00 = FloatVector.zero(F);
    FloatVector acc10 = FloatVector.zero(F);
    FloatVector acc20 = FloatVector.zero(F);
    FloatVector acc30 = FloatVector.zero(F);
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
    }
    store(acc00, sums, o, first);
    store(acc10, sums, o + tp, first);
    store(acc20, sums, o + 2 * tp, first);
    store(acc30, sums, o + 3 * tp, first);
  }

  /** Stores (or adds, unless {@code first}) one accumulator to the tokens' sums at {@code sums[o ..]}. */
  private static void store(FloatVector acc, float[] sums, int o, boolean first) {
    (first ? acc : acc.add(FloatVector.fromArray(F, sums, o))).intoArray(sums, o);
  }
}
