package tips.drain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tips.drain.kernel.Kernels;
import tips.drain.model.KvCache;
import tips.drain.model.ModelConfig;
import tips.drain.testing.TestData;

/**
 * tiny-mistral (window 8) over 120 positions, far past the window: a session whose KV cache is a ring of
 * {@code window + batch - 1} positions gives the logits of one that keeps every position.
 */
@Tag("kernels")
class SlidingWindowCacheTest {
  private static LanguageModel model;

  @BeforeAll
  static void load() {
    model = LanguageModel.load(TestData.model("tiny-mistral"), LoadOptions.defaults().withThreads(2).withTokenizer(false));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void ringCacheKeepsOnlyTheWindow() {
    ModelConfig c = model.config();
    KvCache ring = KvCache.forModel(c, 4096, 4);
    KvCache full = KvCache.forModel(c, 20, 4);
    assertTrue(ring.isRing(0) && ring.isRing(1));
    assertTrue(!full.isRing(0), "a ring of 2 x 11 rows is no smaller than 20 positions");
    int rows = 2 * (8 + 4 - 1); // the ring of window + batch - 1 rows, stored twice
    int keyRows = (rows + Kernels.KEY_TILE - 1) / Kernels.KEY_TILE * Kernels.KEY_TILE; // keys in whole tiles
    assertEquals(2L * (keyRows + rows) * c.kvDim() * Float.BYTES, ring.byteSize(), "layers x (K, V) of the mirrored ring");
  }

  @Test
  void ringAndFullCachesGiveTheSameLogits() {
    int[] ids = new int[120];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1 + (i * 37) % 500;
    }
    try (Session ringSession = model.newSession(SessionOptions.defaults().withContextLength(128).withBatchSize(5));
         Session fullSession = model.newSession(SessionOptions.defaults().withContextLength(128).withBatchSize(64))) {
      float[] a = new float[0];
      float[] b = new float[0];
      // uneven chunks, so that ring rows wrap inside a batch
      for (int off = 0; off < ids.length; off += 7) {
        int[] chunk = Arrays.copyOfRange(ids, off, Math.min(ids.length, off + 7));
        a = concat(a, ringSession.feedAll(chunk));
        b = concat(b, fullSession.feedAll(chunk));
      }
      double max = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
      assertEquals(b.length, a.length);
      assertTrue(max < 1e-5, "ring vs full cache: max |Δlogit| = " + max);
    }
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
