package tips.drain.kernel.panama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static tips.drain.kernel.panama.PanamaSpecies.F;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The block transposes and the deinterleave of {@link PanamaTransposes} against plain loops, at the default
 * width (the prefill matmul tests cover every width through {@link PanamaGemmPanel}): exact moves, so the
 * results must be equal bit for bit, and nothing outside the destination block may change.
 */
class PanamaTransposesTest {
  @Test
  void blockMatchesALoopAtOffsetsAndStrides() {
    int n = F.length();
    Random rnd = new Random(7);
    int ss = n + 5;
    int ds = 2 * n + 3;
    float[] src = new float[3 + n * ss];
    for (int i = 0; i < src.length; i++) {
      src[i] = rnd.nextFloat();
    }
    float[] want = new float[11 + n * ds];
    float[] got = new float[want.length];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        want[11 + j * ds + i] = src[3 + i * ss + j];
      }
    }
    PanamaTransposes.block(src, 3, ss, got, 11, ds, PanamaTransposes.scratch());
    assertArrayEquals(want, got);
  }

  @Test
  void deinterleaveMatchesTheHalfFloatsOrder() {
    int n = F.length();
    Random rnd = new Random(9);
    float[] x = new float[5 + 2 * n];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat();
    }
    float[] want = new float[2 + 2 * n];
    float[] got = new float[want.length];
    PanamaHalfFloats.deinterleave(x, 5, 2 * n, want, 2);
    PanamaTransposes.deinterleave(x, 5, got, 2);
    assertArrayEquals(want, got);
  }
}
