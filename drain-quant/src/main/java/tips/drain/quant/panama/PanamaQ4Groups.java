package tips.drain.quant.panama;

import static tips.drain.quant.panama.PanamaQuantSpecies.F;
import static tips.drain.quant.panama.PanamaQuantSpecies.S;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import tips.drain.quant.Q8Activations;

/**
 * Q4_0 decode at 512 bits, four blocks per step. Four blocks are 72 bytes, 36 shorts: short {@code 9j} is
 * the F16 scale of block {@code j} and shorts {@code 9j+1 .. 9j+8} its 16 bytes of nibbles. Two 64-byte
 * loads (at bytes 0 and 8) and one two-source short permute line the 32 nibble shorts up, block after block, with no
 * widening: in a short {@code s} of bytes {@code 2t, 2t+1}, {@code s & 0xF}, {@code s >>> 4 & 0xF},
 * {@code s >>> 8 & 0xF} and {@code s >>> 12} are elements {@code 2t}, {@code 16+2t}, {@code 2t+1} and
 * {@code 17+2t} of the block. The activations are laid out once per product to match ({@link Layout}),
 * so four 16-bit multiplies cover 128 weights; the four scales come out of the same loads by a second
 * permute and a bit-level F16 conversion.
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
  private static final ShortVector NIBBLES = ENABLED ? ShortVector.fromArray(S, nibbleIndexes(), 0) : null;
  /** Both shorts of int lane {@code m} take the scale of block {@code m / 4}. */
  private static final VectorShuffle<Short> SCALES = ENABLED ? VectorShuffle.fromOp(S, i -> 9 * (i / 8)) : null;
  /**
   * With the F16 in both halves of an int, an arithmetic shift right by 3 puts its sign at bit 31 and its
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

  private static short[] nibbleIndexes() {
    short[] indexes = new short[32];
    for (int i = 0; i < 32; i++) {
      indexes[i] = (short) (i < 24 ? 9 * (i / 8) + 1 + i % 8 : 32 + i);
    }
    return indexes;
  }

  /**
   * Activation vector 0 of a {@link Q8Activations} in this kernel's order: per group of 128 values, four
   * vectors of 32 shorts (elements {@code 2t}, {@code 16+2t}, {@code 2t+1}, {@code 17+2t} of block
   * {@code i / 8} at lane {@code i}, {@code t = i % 8}); per group, 32 shorts of {@code 8 ·} the sum of the
   * four values each lane multiplies (Q4_0's {@code -8}), and 16 floats: the scale of block {@code m / 4}
   * at lane {@code m}.
   */
  record Layout(short[] values, short[] offsets, float[] scales) {
    int groups() {
      return scales.length / 16;
    }

    static Layout of(Q8Activations x, int groups) {
      short[] src = x.values();
      float[] srcScales = x.scales();
      short[] values = new short[groups * 128];
      short[] offsets = new short[groups * 32];
      float[] scales = new float[groups * 16];
      for (int g = 0; g < groups; g++) {
        for (int i = 0; i < 32; i++) {
          int block = g * 128 + 32 * (i / 8);
          int t = i % 8;
          short a = src[block + 2 * t];
          short b = src[block + 16 + 2 * t];
          short c = src[block + 2 * t + 1];
          short d = src[block + 17 + 2 * t];
          values[g * 128 + i] = a;
          values[g * 128 + 32 + i] = b;
          values[g * 128 + 64 + i] = c;
          values[g * 128 + 96 + i] = d;
          offsets[g * 32 + i] = (short) (8 * (a + b + c + d));
        }
        for (int m = 0; m < 16; m++) {
          scales[g * 16 + m] = srcScales[g * BLOCKS + m / 4];
        }
      }
      return new Layout(values, offsets, scales);
    }
  }

  /** The row at byte {@code row} times the activations, over groups {@code [0, groups)}. */
  static float dot(MemorySegment w, long row, int groups, Layout x) {
    short[] values = x.values();
    short[] offsets = x.offsets();
    float[] scales = x.scales();
    MemorySegment wr = w.asSlice(row, (long) groups * GROUP_BYTES);
    FloatVector acc = FloatVector.zero(F);
    for (int g = 0; g < groups; g++) {
      int xi = g * 128;
      long o = g * GROUP_BYTES;
      ShortVector first = ShortVector.fromMemorySegment(S, wr, o, LE);
      ShortVector nibbles = NIBBLES.selectFrom(first, ShortVector.fromMemorySegment(S, wr, o + SECOND, LE));
      ShortVector p = nibbles.and((short) 0xF).mul(ShortVector.fromArray(S, values, xi))
          .add(nibbles.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(ShortVector.fromArray(S, values, xi + 32)))
          .add(nibbles.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(ShortVector.fromArray(S, values, xi + 64)))
          .add(nibbles.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, values, xi + 96)))
          .sub(ShortVector.fromArray(S, offsets, g * 32));
      IntVector ints = p.reinterpretAsInts();
      IntVector pairs = ints.add(ints.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
      IntVector h = first.rearrange(SCALES).reinterpretAsInts();
      IntVector bits = h.lanewise(VectorOperators.ASHR, 3).and(F16_BITS);
      FloatVector scale = ((FloatVector) bits.reinterpretAsFloats()).mul(F16_BIAS).mul(FloatVector.fromArray(F, scales, g * 16));
      acc = ((FloatVector) pairs.convert(VectorOperators.I2F, 0)).fma(scale, acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  /**
   * Rows at bytes {@code rowA} and {@code rowB} times the activations, sharing their loads; the sums are added
   * to {@code out[a]} and {@code out[b]}. Written out with no helper taking vectors: a helper that C2 declines
   * to inline in a method this size would box every vector (4x slower, depending on compile order).
   */
  static void dot2(MemorySegment w, int rowA, int rowB, int groups, Layout x, float[] out, int a, int b) {
    short[] values = x.values();
    short[] offsets = x.offsets();
    float[] scales = x.scales();
    FloatVector accA = FloatVector.zero(F);
    FloatVector accB = accA;
    for (int g = 0; g < groups; g++) {
      int xi = g * 128;
      ShortVector x0 = ShortVector.fromArray(S, values, xi);
      ShortVector x1 = ShortVector.fromArray(S, values, xi + 32);
      ShortVector x2 = ShortVector.fromArray(S, values, xi + 64);
      ShortVector x3 = ShortVector.fromArray(S, values, xi + 96);
      ShortVector off = ShortVector.fromArray(S, offsets, g * 32);
      FloatVector xs = FloatVector.fromArray(F, scales, g * 16).mul(F16_BIAS);
      int oa = rowA + g * GROUP_BYTES;
      int ob = rowB + g * GROUP_BYTES;

      ShortVector firstA = ShortVector.fromMemorySegment(S, w, oa, LE);
      ShortVector nibA = NIBBLES.selectFrom(firstA, ShortVector.fromMemorySegment(S, w, oa + SECOND, LE));
      IntVector pA = nibA.and((short) 0xF).mul(x0)
          .add(nibA.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1))
          .add(nibA.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2))
          .add(nibA.lanewise(VectorOperators.LSHR, 12).mul(x3))
          .sub(off).reinterpretAsInts();
      IntVector hA = firstA.rearrange(SCALES).reinterpretAsInts();
      FloatVector scaleA = (FloatVector) hA.lanewise(VectorOperators.ASHR, 3).and(F16_BITS).reinterpretAsFloats();
      IntVector sumA = pA.add(pA.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
      accA = ((FloatVector) sumA.convert(VectorOperators.I2F, 0)).fma(scaleA.mul(xs), accA);

      ShortVector firstB = ShortVector.fromMemorySegment(S, w, ob, LE);
      ShortVector nibB = NIBBLES.selectFrom(firstB, ShortVector.fromMemorySegment(S, w, ob + SECOND, LE));
      IntVector pB = nibB.and((short) 0xF).mul(x0)
          .add(nibB.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1))
          .add(nibB.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2))
          .add(nibB.lanewise(VectorOperators.LSHR, 12).mul(x3))
          .sub(off).reinterpretAsInts();
      IntVector hB = firstB.rearrange(SCALES).reinterpretAsInts();
      FloatVector scaleB = (FloatVector) hB.lanewise(VectorOperators.ASHR, 3).and(F16_BITS).reinterpretAsFloats();
      IntVector sumB = pB.add(pB.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
      accB = ((FloatVector) sumB.convert(VectorOperators.I2F, 0)).fma(scaleB.mul(xs), accB);
    }
    out[a] += accA.reduceLanes(VectorOperators.ADD);
    out[b] += accB.reduceLanes(VectorOperators.ADD);
  }
}
