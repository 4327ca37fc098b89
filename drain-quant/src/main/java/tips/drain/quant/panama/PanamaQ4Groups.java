package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;
import static tips.drain.quant.panama.PanamaQuantSpecies.S;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import tips.drain.quant.Q4_0Order;
import tips.drain.quant.Q8Activations;

/**
 * Q4_0 decode at 512 bits: four rows at a time, four blocks per step.
 *
 * <p><b>Unpacking.</b> Four blocks are 72 bytes, 36 shorts: short {@code 9j} is the F16 scale of block
 * {@code j} and shorts {@code 9j+1 .. 9j+8} its 16 bytes of nibbles. Two 64-byte loads (at bytes 0 and 8)
 * and one two-source short permute line the 32 nibble shorts up, block after block, with no widening: in a
 * short {@code s} of bytes {@code 2t, 2t+1}, {@code s & 0xF}, {@code s >>> 4 & 0xF}, {@code s >>> 8 & 0xF}
 * and {@code s >>> 12} are elements {@code 2t}, {@code 16+2t}, {@code 2t+1} and {@code 17+2t} of the block.
 * The activations are laid out once per product to match ({@link Q4_0Order}), so four 16-bit multiplies and
 * three adds leave a row's 128 products in 32 lanes, eight per block.
 *
 * <p><b>Reducing four rows together.</b> Two rows' lanes are summed in neighbouring pairs by one
 * {@link #EVEN} and one {@link #ODD} two-source permute and an add (32 lanes: 16 per row, four per block);
 * the same over the two pairs of rows leaves 32 lanes of half blocks, two per block of each of the four rows.
 * From there one {@code -8} correction, one widening pair sum and one float multiply-add serve all four
 * rows: int lane {@code 4r + k} holds row {@code r}'s block {@code k}, and its scale (the product of the
 * block's F16, converted at the bit level, and the activation scale) sits in the same lane. Every partial
 * sum fits 16 bits: a lane of four products is at most 4·15·127, a half block 30480 before the correction,
 * and a whole block at most 32·8·127 after it.
 *
 * <p>The code for two rows is written once, in a loop of two turns over the pairs of rows (A, B) and
 * (C, D), so that C1 can compile the method (four rows written out exceed its register budget, and the
 * method would then stay in slow tier-2 code instead of reaching C2). Each turn combines its pair sums
 * with the previous turn's; only the second turn's result is used. No helper method takes vectors: one
 * that C2 declined to inline would box every vector.
 *
 * <p>Only at 512 bits (a short permute is one AVX-512BW instruction; narrower machines without it would
 * emulate it), and only for whole groups of four blocks; the rest of a row goes block by block through
 * {@link PanamaQ4}.
 */
final class PanamaQ4Groups {
  /** Whether this kernel runs: 32 short lanes, four blocks of eight nibble shorts. */
  static final boolean ENABLED = S.length() == 32;
  static final int BLOCKS = 4;
  static final int GROUP_BYTES = BLOCKS * PanamaQ4.BLOCK_BYTES;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  /** The second load starts here, so that it ends with the group: its lanes 24..31 are block 3's nibbles. */
  private static final int SECOND = GROUP_BYTES - 64;
  /**
   * Where nibble short {@code i} comes from, for {@code selectFrom(first, second)} (one two-source permute):
   * blocks 0..2 from the first load, block 3 from lanes 24..31 of the second (index 32 + lane).
   */
  private static final ShortVector NIBBLES = ENABLED ? indexes(i -> i < 24 ? 9 * (i / 8) + 1 + i % 8 : 32 + i) : null;
  /** Over two vectors' 64 lanes: lane {@code i} takes lane {@code 2i} ({@link #EVEN}) or {@code 2i + 1} ({@link #ODD}). */
  private static final ShortVector EVEN = ENABLED ? indexes(i -> 2 * i) : null;
  private static final ShortVector ODD = ENABLED ? indexes(i -> 2 * i + 1) : null;
  /**
   * From the first loads of two rows: the upper short of int lane {@code m} takes the scale of block
   * {@code m % 4} of the first row when {@code m / 4} is even, of the second when odd. Rows (A, B) fill int
   * lanes 0..7 and (C, D) lanes 8..15 ({@link #UPPER_HALF}), so lane {@code 4r + k} is row {@code r}'s block {@code k}.
   */
  private static final ShortVector SCALES = ENABLED ? indexes(i -> i % 2 == 1 ? 32 * (i / 8 % 2) + 9 * (i / 2 % 4) : 0) : null;
  private static final VectorMask<Short> UPPER_HALF = ENABLED ? VectorMask.fromLong(S, 0xFFFF_0000L) : null;
  /**
   * For {@link #order}: value vector {@code q} of a group takes, at lane {@code i}, element {@code 2t},
   * {@code 16+2t}, {@code 2t+1} or {@code 17+2t} ({@code q = 0..3}, {@code t = i % 8}) of block {@code i / 8},
   * blocks 0 and 1 from one two-source permute, 2 and 3 from another.
   */
  private static final ShortVector[] ORDER = ENABLED ? new ShortVector[] {
      indexes(i -> 32 * (i / 8 % 2) + 2 * (i % 8)), indexes(i -> 32 * (i / 8 % 2) + 16 + 2 * (i % 8)),
      indexes(i -> 32 * (i / 8 % 2) + 2 * (i % 8) + 1), indexes(i -> 32 * (i / 8 % 2) + 17 + 2 * (i % 8))} : null;
  private static final VectorShuffle<Short> SHORT_NEIGHBOUR = ENABLED ? VectorShuffle.fromOp(S, i -> i ^ 1) : null;
  private static final VectorShuffle<Short> SHORT_NEIGHBOUR_PAIR = ENABLED ? VectorShuffle.fromOp(S, i -> i ^ 2) : null;
  /** Lane {@code i} takes lane {@code 4 (i % 8)}: half block {@code i % 8}'s sum, once for each of four rows. */
  private static final VectorShuffle<Short> HALF_BLOCKS = ENABLED ? VectorShuffle.fromOp(S, i -> 4 * (i % 8)) : null;
  /** Lane {@code i} takes lane {@code i ^ 1} ({@link #NEIGHBOUR}) or {@code i ^ 2}: for a fixed-order sum of four lanes. */
  private static final VectorShuffle<Float> NEIGHBOUR = ENABLED ? VectorShuffle.fromOp(F, i -> i ^ 1) : null;
  private static final VectorShuffle<Float> NEIGHBOUR_PAIR = ENABLED ? VectorShuffle.fromOp(F, i -> i ^ 2) : null;
  /**
   * With the F16 in the upper half of an int, an arithmetic shift right by 3 puts its sign at bit 31 and its
   * exponent and mantissa at bits 13..27; this keeps just those: the F32 whose value is the F16's times 2⁻¹¹².
   */
  private static final int F16_BITS = 0x8FFF_E000;
  /** F16 bits shifted into an F32's exponent and mantissa are the value times 2⁻¹¹². */
  private static final float F16_BIAS = 0x1p112f;

  private PanamaQ4Groups() {}

  /** Whole groups of four blocks in a row of {@code cols} weights that this kernel takes: 0 where it does not run. */
  static int groups(int cols) {
    return ENABLED ? cols / 32 / BLOCKS : 0;
  }

  private static ShortVector indexes(IntUnaryOperator lane) {
    short[] indexes = new short[32];
    for (int i = 0; i < 32; i++) {
      indexes[i] = (short) lane.applyAsInt(i);
    }
    return ShortVector.fromArray(S, indexes, 0);
  }

  /** Activation vector 0 of {@code x} in this kernel's order ({@link Q4_0Order}), {@code groups} groups of 128 values. */
  static Q4_0Order order(Q8Activations x, int groups) {
    short[] src = x.values();
    float[] srcScales = x.scales();
    short[] values = new short[groups * 128];
    short[] offsets = new short[groups * 32];
    float[] scales = new float[groups * 16];
    for (int g = 0; g < groups; g++) {
      int v = g * 128;
      ShortVector block0 = ShortVector.fromArray(S, src, v);
      ShortVector block1 = ShortVector.fromArray(S, src, v + 32);
      ShortVector block2 = ShortVector.fromArray(S, src, v + 64);
      ShortVector block3 = ShortVector.fromArray(S, src, v + 96);
      ShortVector sums = ShortVector.zero(S);
      for (int q = 0; q < 4; q++) {
        ShortVector order = ORDER[q];
        ShortVector lanes = order.selectFrom(block0, block1).blend(order.selectFrom(block2, block3), UPPER_HALF);
        lanes.intoArray(values, v + 32 * q);
        sums = sums.add(lanes);
      }
      // the sum of lanes 4j .. 4j + 3 (half block j) at lane 4j, then at lanes j, 8 + j, 16 + j and 24 + j
      sums = sums.add(sums.rearrange(SHORT_NEIGHBOUR));
      sums = sums.add(sums.rearrange(SHORT_NEIGHBOUR_PAIR));
      sums.rearrange(HALF_BLOCKS).lanewise(VectorOperators.LSHL, 3).intoArray(offsets, g * 32);
      for (int m = 0; m < 16; m++) {
        scales[g * 16 + m] = srcScales[g * BLOCKS + m % 4] * F16_BIAS;
      }
    }
    return new Q4_0Order(values, offsets, scales);
  }

  /**
   * Rows at bytes {@code rowA .. rowD} of {@code w} times the activations, over groups {@code [0, groups)};
   * the sums are added to {@code out[a] .. out[d]}. A row's sum does not depend on the rows it is computed
   * with: every lane is its own, and the four lanes of a row are added in a fixed order.
   */
  static void dot4(MemorySegment w, int rowA, int rowB, int rowC, int rowD, int groups, Q4_0Order x, float[] out, int a, int b, int c, int d) {
    short[] values = x.values();
    short[] offsets = x.offsets();
    float[] scales = x.scales();
    FloatVector acc = FloatVector.zero(F);
    ShortVector zero = ShortVector.zero(S);
    int stepAC = rowC - rowA;
    int stepBD = rowD - rowB;
    for (int g = 0; g < groups; g++) {
      int xi = g * 128;
      ShortVector x0 = ShortVector.fromArray(S, values, xi);
      ShortVector x1 = ShortVector.fromArray(S, values, xi + 32);
      ShortVector x2 = ShortVector.fromArray(S, values, xi + 64);
      ShortVector x3 = ShortVector.fromArray(S, values, xi + 96);
      int o = g * GROUP_BYTES;
      ShortVector previous = zero;
      ShortVector previousScales = zero;
      ShortVector halves = zero;
      ShortVector h = zero;
      for (int half = 0; half < 2; half++) {
        int r1 = rowA + half * stepAC + o;
        int r2 = rowB + half * stepBD + o;
        ShortVector first1 = ShortVector.fromMemorySegment(S, w, r1, LE);
        ShortVector nib1 = NIBBLES.selectFrom(first1, ShortVector.fromMemorySegment(S, w, r1 + SECOND, LE));
        ShortVector p1 = nib1.and((short) 0xF).mul(x0)
            .add(nib1.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1))
            .add(nib1.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2))
            .add(nib1.lanewise(VectorOperators.LSHR, 12).mul(x3));
        ShortVector first2 = ShortVector.fromMemorySegment(S, w, r2, LE);
        ShortVector nib2 = NIBBLES.selectFrom(first2, ShortVector.fromMemorySegment(S, w, r2 + SECOND, LE));
        ShortVector p2 = nib2.and((short) 0xF).mul(x0)
            .add(nib2.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1))
            .add(nib2.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2))
            .add(nib2.lanewise(VectorOperators.LSHR, 12).mul(x3));
        ShortVector pairs = EVEN.selectFrom(p1, p2).add(ODD.selectFrom(p1, p2));
        halves = EVEN.selectFrom(previous, pairs).add(ODD.selectFrom(previous, pairs));
        previous = pairs;
        ShortVector sc = SCALES.selectFrom(first1, first2);
        h = previousScales.blend(sc, UPPER_HALF);
        previousScales = sc;
      }
      IntVector his = halves.sub(ShortVector.fromArray(S, offsets, g * 32)).reinterpretAsInts();
      IntVector blocks = his.add(his.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
      FloatVector scale = (FloatVector) h.reinterpretAsInts().lanewise(VectorOperators.ASHR, 3).and(F16_BITS).reinterpretAsFloats();
      acc = ((FloatVector) blocks.convert(VectorOperators.I2F, 0)).fma(scale.mul(FloatVector.fromArray(F, scales, g * 16)), acc);
    }
    acc = acc.add(acc.rearrange(NEIGHBOUR));
    acc = acc.add(acc.rearrange(NEIGHBOUR_PAIR));
    out[a] += acc.lane(0);
    out[b] += acc.lane(4);
    out[c] += acc.lane(8);
    out[d] += acc.lane(12);
  }
}
