package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tips.drain.model.gptoss.Mxfp4Repack;

/** The format table: block layouts byte for byte as ggml's, its rounding, and round-trip error budgets. */
class QuantFormatTest {

  @Test
  void blockSizesAreGgmls() {
    // sizeof(block_q8_0) == 34 and sizeof(block_q4_0) == 18 in ggml-common.h
    assertEquals(32, QuantFormat.Q8_0.blockSize());
    assertEquals(34, QuantFormat.Q8_0.blockBytes());
    assertEquals(32, QuantFormat.Q4_0.blockSize());
    assertEquals(18, QuantFormat.Q4_0.blockBytes());
    assertEquals(2048L / 32 * 34 * 5632, QuantFormat.Q8_0.byteSize(5632, 2048));
    assertEquals(5632L / 32 * 18 * 2048, QuantFormat.Q4_0.byteSize(2048, 5632));
    // sizeof(block_q4_1) 20, block_q5_0 22, block_q5_1 24, block_q4_K 144, block_q5_K 176, block_q6_K 210
    int[][] sizes = {{32, 20}, {32, 22}, {32, 24}, {256, 144}, {256, 176}, {256, 210}};
    QuantFormat[] formats = {QuantFormat.Q4_1, QuantFormat.Q5_0, QuantFormat.Q5_1, QuantFormat.Q4_K, QuantFormat.Q5_K, QuantFormat.Q6_K};
    for (int i = 0; i < formats.length; i++) {
      assertEquals(sizes[i][0], formats[i].blockSize(), formats[i] + " block size");
      assertEquals(sizes[i][1], formats[i].blockBytes(), formats[i] + " block bytes");
    }
    // ggml's vec_dot_type: Q8_0 for the 32-weight formats (Q8_1 for Q4_1 / Q5_1, the same values plus s), Q8_K for the K-quants
    for (QuantFormat f : QuantFormat.values()) {
      assertEquals(f.blockSize() == 256 ? ActivationFormat.Q8_K : ActivationFormat.Q8_0, f.activationFormat(), f.name());
    }
  }

  @Test
  void onlyWholeBlocksAreSupported() {
    for (QuantFormat f : QuantFormat.values()) {
      assertTrue(f.supports(f.blockSize()));
      assertTrue(f.supports(5632));
      assertFalse(f.supports(0));
      assertFalse(f.supports(f.blockSize() - 1));
      assertFalse(f.supports(172), "stories260K's FFN input (172) is not a multiple of 32");
      assertFalse(f.supports(-32));
    }
  }

  @Test
  void namesAreCaseInsensitive() {
    assertEquals(Optional.of(QuantFormat.Q4_0), QuantFormat.byName("q4_0"));
    assertEquals(Optional.of(QuantFormat.Q8_0), QuantFormat.byName("Q8_0"));
    assertEquals(Optional.of(QuantFormat.Q5_K), QuantFormat.byName("q5_k"));
    assertEquals(Optional.empty(), QuantFormat.byName("Q3_K"));
  }

  @Test
  void q8RoundsHalfAwayFromZeroLikeRoundf() {
    // amax 127 gives d = 1 exactly, so the stored values are round(x): Java's Math.round(-2.5f) would be -2
    float[] x = new float[32];
    x[0] = 127f;
    x[1] = 2.5f;
    x[2] = -2.5f;
    x[3] = 0.49999997f;
    x[4] = -0.5f;
    x[5] = -127f;
    x[6] = 3.4999998f;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment block = arena.allocate(34);
      QuantFormat.Q8_0.quantizeBlock(x, 0, block, 0);
      assertEquals(Float.floatToFloat16(1f), block.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
      byte[] q = new byte[32];
      MemorySegment.copy(block, ValueLayout.JAVA_BYTE, 2, q, 0, 32);
      assertArrayEquals(new byte[] {127, 3, -3, 0, -1, -127, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, q);
    }
  }

  @Test
  void q4PacksNibblesAsGgmlDoes() {
    // the largest magnitude is -8 (negative), so d = -8 / -8 = 1 and q = min(15, trunc(x + 8.5))
    float[] x = new float[32];
    for (int j = 0; j < 32; j++) {
      x[j] = (j % 15) - 7; // -7 .. 7
    }
    x[3] = -8f;
    x[20] = 7.9f; // 16.4 truncates to 16, clamped to 15
    x[21] = -0.5f; // 8.0 -> 8, i.e. value 0
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment block = arena.allocate(18);
      QuantFormat.Q4_0.quantizeBlock(x, 0, block, 0);
      assertEquals(Float.floatToFloat16(1f), block.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
      for (int j = 0; j < 16; j++) {
        int b = block.get(ValueLayout.JAVA_BYTE, 2 + j) & 0xFF;
        int lo = Math.min(15, (int) (x[j] + 8.5f));
        int hi = Math.min(15, (int) (x[j + 16] + 8.5f));
        assertEquals(lo, b & 0x0F, "element " + j + " is the low nibble of byte " + j);
        assertEquals(hi, b >>> 4, "element " + (j + 16) + " is the high nibble of byte " + j);
      }
      float[] back = new float[32];
      QuantFormat.Q4_0.dequantizeBlock(block, 0, back, 0);
      assertEquals(-8f, back[3]);
      assertEquals(7f, back[20]);
      assertEquals(0f, back[21]);
    }
  }

  @Test
  void q4ScaleTakesTheSignOfTheLargestMagnitude() {
    float[] x = new float[32];
    x[7] = 4f; // largest magnitude, positive: d = 4 / -8 = -0.5
    x[8] = -3f;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment block = arena.allocate(18);
      QuantFormat.Q4_0.quantizeBlock(x, 0, block, 0);
      assertEquals(-0.5f, Float.float16ToFloat(block.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)));
      float[] back = new float[32];
      QuantFormat.Q4_0.dequantizeBlock(block, 0, back, 0);
      assertEquals(4f, back[7]);
      assertEquals(-3f, back[8]);
    }
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void allZeroBlocksStayZero(QuantFormat format) {
    int n = 2 * format.blockSize();
    float[] x = new float[n];
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment row = arena.allocate(format.rowBytes(n));
      format.quantizeRow(x, 0, n, row, 0);
      float[] back = new float[n];
      format.dequantizeRow(row, 0, back, 0, n);
      for (int i = 0; i < n; i++) {
        assertTrue(back[i] == 0f, format + " value " + i + " came back as " + back[i]); // -0.0 for Q4_0, as in ggml
      }
    }
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void roundTripWithinGgmlsTotalErrorBudget(QuantFormat format) {
    // ggml's total_quantization_error: 4096 values of 0.1 + 2 cos(i), rmse computed as sqrt(Σd²) / n
    float[] x = QuantTestData.ggmlData(0f, 4096, 2f);
    float[] back = roundTrip(format, x, 0);
    double ss = 0;
    for (int i = 0; i < x.length; i++) {
      ss += (double) (x[i] - back[i]) * (x[i] - back[i]);
    }
    double error = Math.sqrt(ss) / x.length;
    assertTrue(error < QuantTestData.totalQuantizationError(format), format + " round-trip error " + error);
  }

  @ParameterizedTest
  @EnumSource(names = {"Q8_0", "Q4_0", "MXFP4"})
  void everyValueWithinHalfAStepOrOneStepAtTheClampedEnd(QuantFormat format) {
    Random rnd = new Random(format.ordinal());
    int n = 32 * 97;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian())); // blocks of very different scales
    }
    int offset = 5;
    float[] padded = new float[n + offset];
    System.arraycopy(x, 0, padded, offset, n);
    float[] back = roundTrip(format, padded, offset);
    for (int k = 0; k < n / 32; k++) {
      float amax = 0f;
      for (int j = 0; j < 32; j++) {
        amax = Math.max(amax, Math.abs(x[32 * k + j]));
      }
      // Q8_0: step amax/127, error ≤ step/2 (plus the F16 rounding of the step, ≤ 127 · 2⁻¹¹ relative);
      // Q4_0: step amax/8, error ≤ step/2, except the end opposite the max where 8 steps are clamped to 7
      float step = format == QuantFormat.Q8_0 ? amax / 127f : amax / 8f;
      float bound = format == QuantFormat.Q8_0 ? step * (0.5f + 127f / 2048f) : step * (1f + 8f / 2048f);
      for (int j = 0; j < 32; j++) {
        int i = 32 * k + j;
        if (format == QuantFormat.MXFP4) {
          bound = mxfp4Bound(x[i], amax);
        }
        assertTrue(Math.abs(x[i] - back[i]) <= bound, format + " value " + i + ": " + x[i] + " came back as " + back[i]);
      }
    }
  }

  /**
   * MXFP4's error bound for {@code x} in a block of largest magnitude {@code amax}: the doubled codes' unit is
   * {@code d = 2^(floor(log2 amax) - 3)}, the grid 0, 1, 2, 3, 4, 6, 8, 12 (× d) has steps of 1, 2 and 4 units, so a
   * value within the grid is at most half its step away; above 12 d (up to amax < 16 d) it is clamped to 12 d.
   */
  private static float mxfp4Bound(float x, float amax) {
    float d = Math.scalb(1f, Math.getExponent(amax) - 3);
    float a = Math.abs(x);
    if (a > 12 * d) {
      return a - 12 * d;
    }
    return a <= 4 * d ? d / 2 : a <= 8 * d ? d : 2 * d;
  }

  /** The MXFP4 block layout is ggml's {@code block_mxfp4} and decodes every code as the OCP E2M1 table says. */
  @Test
  void mxfp4DecodesEveryCodeAsTheSpec() {
    assertEquals(17, QuantFormat.MXFP4.blockBytes(), "sizeof(block_mxfp4): the E8M0 byte and 16 bytes of codes");
    float[] e2m1 = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f};
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment block = arena.allocate(17);
      for (int e : new int[] {127, 120, 130, 1, 200}) {
        block.set(ValueLayout.JAVA_BYTE, 0, (byte) e);
        for (int j = 0; j < 16; j++) {
          // element j: code j (low nibble); element 16 + j: code 15 - j (high nibble)
          block.set(ValueLayout.JAVA_BYTE, 1 + j, (byte) (j | ((15 - j) << 4)));
        }
        float[] out = new float[32];
        QuantFormat.MXFP4.dequantizeBlock(block, 0, out, 0);
        double scale = Math.pow(2, e - 127);
        for (int j = 0; j < 16; j++) {
          assertEquals(e2m1[j] * scale, out[j], 0.0, "code " + j + " e " + e);
          assertEquals(e2m1[15 - j] * scale, out[16 + j], 0.0, "code " + (15 - j) + " e " + e);
        }
      }
    }
  }

  /** Hugging Face's packing (two codes per byte in element order, scales apart) repacks into the block layout. */
  @Test
  void mxfp4FromHuggingFaceLayout() {
    Random rnd = new Random(3);
    int rows = 3;
    int cols = 64;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment blocks = arena.allocate(rows * cols / 2);
      MemorySegment scales = arena.allocate(rows * cols / 32);
      int[][] codes = new int[rows][cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c += 2) {
          codes[r][c] = rnd.nextInt(16);
          codes[r][c + 1] = rnd.nextInt(16);
          blocks.set(ValueLayout.JAVA_BYTE, (r * cols + c) / 2, (byte) (codes[r][c] | (codes[r][c + 1] << 4)));
        }
        for (int k = 0; k < cols / 32; k++) {
          scales.set(ValueLayout.JAVA_BYTE, r * cols / 32 + k, (byte) (120 + rnd.nextInt(10)));
        }
      }
      // rows 2 and 0, in that order
      MemorySegment packed = arena.allocate(QuantFormat.MXFP4.byteSize(2, cols));
      Mxfp4Repack.fromHf(blocks, 0, scales, 0, new int[] {2, 0}, cols, packed);
      float[] out = new float[2 * cols];
      QuantFormat.MXFP4.dequantizeRow(packed, 0, out, 0, 2 * cols);
      float[] e2m1 = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f};
      int[] source = {2, 0};
      for (int i = 0; i < 2; i++) {
        int r = source[i];
        for (int c = 0; c < cols; c++) {
          double scale = Math.pow(2, (scales.get(ValueLayout.JAVA_BYTE, r * cols / 32 + c / 32) & 0xFF) - 127);
          assertEquals(e2m1[codes[r][c]] * scale, out[i * cols + c], 0.0, "row " + r + " col " + c);
        }
      }
    }
  }

  /** Quantizes {@code x[offset ..]} (a whole number of blocks) and dequantizes it again. */
  private static float[] roundTrip(QuantFormat format, float[] x, int offset) {
    int n = (x.length - offset) / format.blockSize() * format.blockSize();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment row = arena.allocate(format.rowBytes(n) + 3).asSlice(3); // an odd address
      format.quantizeRow(x, offset, n, row, 0);
      float[] back = new float[n];
      format.dequantizeRow(row, 0, back, 0, n);
      return back;
    }
  }
}
