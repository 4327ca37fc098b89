package tips.drain.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.DrainException;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.testing.TinyLlama;

@Tag("kernels") // model-level numbers: checked on the scalar path too
class PerplexityTest {
  @TempDir Path dir;

  @Test
  void scoresTheSecondHalfOfEachChunkAfterBos() {
    TinyLlama t = TinyLlama.small(21);
    int[] tokens = new java.util.SplittableRandom(4).ints(20, 3, t.vocab).toArray();
    int context = 8;
    try (LanguageModel m = LanguageModel.load(t.write(dir.resolve("a")), LoadOptions.defaults().withThreads(1).withTokenizer(false))) {
      PerplexityResult r = Perplexity.evaluate(m, null, tokens, context);
      // by hand: chunks [0,8) and [8,16) (the last 4 tokens do not fill a chunk), BOS first, positions 4..6 scored
      double nll = 0;
      int n = 0;
      for (int c = 0; c < 2; c++) {
        int[] chunk = java.util.Arrays.copyOfRange(tokens, c * context, (c + 1) * context);
        chunk[0] = 1;
        try (Session s = m.newSession(SessionOptions.defaults().withContextLength(context))) {
          float[] logits = s.feedAll(chunk);
          for (int p = 4; p < 7; p++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < t.vocab; v++) {
              max = Math.max(max, logits[p * t.vocab + v]);
            }
            double sum = 0;
            for (int v = 0; v < t.vocab; v++) {
              sum += Math.exp(logits[p * t.vocab + v] - max);
            }
            nll -= logits[p * t.vocab + chunk[p + 1]] - max - Math.log(sum);
            n++;
          }
        }
      }
      assertEquals(6, r.tokens());
      assertEquals(2, r.chunks());
      assertEquals(Math.exp(nll / n), r.perplexity(), 1e-9);
      assertTrue(Double.isNaN(r.klDivergenceMean()));
    }
  }

  @Test
  void aModelAgreesWithItselfAndDiffersFromAnother() {
    TinyLlama a = TinyLlama.small(1);
    TinyLlama b = TinyLlama.small(2);
    int[] tokens = new java.util.SplittableRandom(5).ints(32, 3, a.vocab).toArray();
    LoadOptions o = LoadOptions.defaults().withThreads(1).withTokenizer(false);
    try (LanguageModel ma = LanguageModel.load(a.write(dir.resolve("a")), o);
         LanguageModel mb = LanguageModel.load(b.write(dir.resolve("b")), o)) {
      PerplexityResult self = Perplexity.evaluate(ma, ma, tokens, 16);
      assertEquals(0.0, self.klDivergenceMean(), 1e-9);
      assertEquals(1.0, self.top1Agreement());
      assertEquals(self.perplexity(), self.referencePerplexity(), 1e-9);
      PerplexityResult other = Perplexity.evaluate(ma, mb, tokens, 16);
      assertTrue(other.klDivergenceMean() > 0.01, "different models diverge: " + other.klDivergenceMean());
    }
  }

  @Test
  void textShorterThanOneContextIsExplained() {
    TinyLlama t = TinyLlama.small(1);
    try (LanguageModel m = LanguageModel.load(t.write(dir.resolve("a")), LoadOptions.defaults().withThreads(1).withTokenizer(false))) {
      DrainException e = assertThrows(DrainException.class, () -> Perplexity.evaluate(m, null, new int[10], 16));
      assertTrue(e.getMessage().contains("fewer than one context"), e.getMessage());
    }
  }
}
