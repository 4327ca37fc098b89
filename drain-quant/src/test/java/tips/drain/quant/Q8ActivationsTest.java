package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Activations are quantized as x86 ggml's {@code quantize_row_q8_0} / {@code _q8_1} and {@code quantize_row_q8_K_ref}. */
class Q8ActivationsTest {

  @Test
  void q8RoundsHalfToEvenAgainst127OverAmax() {
    // amax 127: id = 127 / 127 = 1, so the values are x rounded half to even (ggml's reference roundf would give 3, -3, 5)
    float[] x = new float[32];
    float[] ties = {127f, 2.5f, -2.5f, 4.5f, 0.5f, -0.5f, 1.5f, 0.49999997f, -126.5f};
    System.arraycopy(ties, 0, x, 0, ties.length);
    Q8Activations acts = new Q8Activations(1, 32);
    acts.quantize(0, x, 0);
    short[] want = {127, 2, -2, 4, 0, 0, 2, 0, -126};
    int sum = 0;
    for (int j = 0; j < want.length; j++) {
      assertEquals(want[j], acts.values()[j], "value " + j + " (" + x[j] + ")");
      sum += want[j];
    }
    assertEquals(1f, acts.scales()[0]);
    assertEquals((float) sum, acts.sums()[0]);
    assertEquals(Float.float16ToFloat(Float.floatToFloat16(sum * 1f)), acts.sumScales()[0], "Q8_1's s = fp16(d · sum)");
  }

  @Test
  void sameScalesAsTheQ8RowAndSumsOfTheirValues() {
    Random rnd = new Random(3);
    int cols = 32 * 9;
    int batch = 3;
    float[] x = new float[batch * cols + 4];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextGaussian() * 3);
    }
    for (int j = 32; j < 64; j++) {
      x[4 + j] = 0f; // a block of zeros
    }
    Q8Activations acts = new Q8Activations(batch, cols);
    for (int b = 0; b < batch; b++) {
      acts.quantize(b, x, 4 + b * cols);
    }
    byte[] q = new byte[32];
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment block = arena.allocate(34);
      for (int b = 0; b < batch; b++) {
        for (int k = 0; k < cols / 32; k++) {
          int from = 4 + b * cols + 32 * k;
          QuantFormat.Q8_0.quantizeBlock(x, from, block, 0);
          float d = QuantFormat.Q8_0.unpackBlock(block, 0, q);
          int blockIndex = b * (cols / 32) + k;
          assertEquals(d, acts.scales()[blockIndex], "scale of block " + blockIndex);
          float amax = 0f;
          for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[from + j]));
          }
          int sum = 0;
          for (int j = 0; j < 32; j++) {
            int v = acts.values()[b * cols + 32 * k + j];
            assertEquals((int) Math.rint(x[from + j] * (amax == 0f ? 0f : 127f / amax)), v, "value " + j + " of block " + blockIndex);
            sum += v;
          }
          assertEquals((float) sum, acts.sums()[blockIndex], "sum of block " + blockIndex);
          assertEquals(Float.float16ToFloat(Float.floatToFloat16(amax / 127f * sum)), acts.sumScales()[blockIndex], "s of block " + blockIndex);
        }
      }
    }
  }

  @Test
  void q8kScalesByTheSignedMaximumAndSumsGroupsOf16() {
    float[] x = new float[2 * 256];
    Random rnd = new Random(5);
    for (int i = 0; i < 256; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    x[17] = -5f; // the largest magnitude, negative: iscale = -127 / -5 = 25.4, d = 1 / 25.4
    // the second super-block is all zero
    Q8KActivations acts = new Q8KActivations(1, 512);
    acts.quantize(0, x, 0);
    float iscale = -127f / -5f;
    assertEquals(1f / iscale, acts.scales()[0]);
    assertEquals(-127, acts.values()[17]);
    for (int g = 0; g < 16; g++) {
      int sum = 0;
      for (int i = 16 * g; i < 16 * g + 16; i++) {
        assertEquals(KQuants.nearestInt(iscale * x[i]), acts.values()[i], "value " + i);
        sum += acts.values()[i];
      }
      assertEquals(sum, acts.bsums()[g], "bsum " + g);
    }
    assertEquals(0f, acts.scales()[1]);
    for (int i = 256; i < 512; i++) {
      assertEquals(0, acts.values()[i]);
    }
    assertEquals(0, acts.bsums()[31]);
  }

  @Test
  void q8kKeepsPositiveMaximaBelow128() {
    // a positive maximum gives iscale < 0 and -127 at that element; ggml clamps at 127 only (min(127, v))
    float[] x = new float[256];
    x[0] = 3f;
    x[1] = -3f;
    Q8KActivations acts = new Q8KActivations(1, 256);
    acts.quantize(0, x, 0);
    assertEquals(-127, acts.values()[0]);
    assertEquals(127, acts.values()[1]);
    assertEquals(1f / (-127f / 3f), acts.scales()[0]);
  }

  @Test
  void nearestIntRoundsHalfToEven() {
    assertEquals(2, KQuants.nearestInt(2.5f));
    assertEquals(4, KQuants.nearestInt(3.5f));
    assertEquals(-2, KQuants.nearestInt(-2.5f));
    assertEquals(0, KQuants.nearestInt(0.49999997f));
    assertEquals(-127, KQuants.nearestInt(-127.4f));
  }

  @Test
  void refusesPartialBlocks() {
    assertThrows(IllegalArgumentException.class, () -> new Q8Activations(1, 48));
    assertThrows(IllegalArgumentException.class, () -> new Q8Activations(0, 64));
    assertThrows(IllegalArgumentException.class, () -> new Q8KActivations(1, 128));
  }
}
