package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Activations are quantized exactly as the Q8_0 row quantizes weights. */
class Q8ActivationsTest {

  @Test
  void sameValuesAndScalesAsTheQ8Row() {
    Random rnd = new Random(3);
    int cols = 32 * 9;
    int batch = 3;
    float[] x = new float[batch * cols + 4];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextGaussian() * 3);
    }
    x[40] = 0f; // a block of zeros
    for (int j = 32; j < 64; j++) {
      x[4 + j] = 0f;
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
          QuantFormat.Q8_0.quantizeBlock(x, 4 + b * cols + 32 * k, block, 0);
          float d = QuantFormat.Q8_0.unpackBlock(block, 0, q);
          int blockIndex = b * (cols / 32) + k;
          assertEquals(d, acts.scales()[blockIndex], "scale of block " + blockIndex);
          int sum = 0;
          for (int j = 0; j < 32; j++) {
            assertEquals(q[j], acts.values()[b * cols + 32 * k + j], "value " + j + " of block " + blockIndex);
            sum += q[j];
          }
          assertEquals((float) sum, acts.sums()[blockIndex], "sum of block " + blockIndex);
        }
      }
    }
  }

  @Test
  void refusesPartialBlocks() {
    assertThrows(IllegalArgumentException.class, () -> new Q8Activations(1, 48));
    assertThrows(IllegalArgumentException.class, () -> new Q8Activations(0, 64));
  }
}
