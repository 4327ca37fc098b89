package tips.drain.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.api.GenerationOptions;
import tips.drain.api.GenerationResult;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.Session;
import tips.drain.api.TokenListener;
import tips.drain.tensor.DType;
import tips.drain.tokenizer.Tokenizer;

/** The synthetic models the benchmarks run on load in DRAIN like real ones, in every dtype. */
@Tag("kernels")
class SyntheticModelTest {
  @TempDir Path dir;

  @Test
  void writesALoadableModelOfTheShapeInEveryDtype() throws Exception {
    for (DType type : new DType[] {DType.BF16, DType.F16, DType.F32}) {
      Path out = dir.resolve(type.name());
      SyntheticModel.write(SyntheticModel.MINI, type, out);
      try (LanguageModel m = LanguageModel.load(out, LoadOptions.defaults().withThreads(2));
           Session s = m.newSession()) {
        assertEquals(SyntheticModel.MINI.hidden(), m.config().hiddenSize());
        assertEquals(SyntheticModel.MINI.vocab(), m.config().vocabSize());
        assertEquals(type.name(), m.storedFormat());
        GenerationResult r = s.generate(new int[] {1, 300, 301}, GenerationOptions.defaults().withMaxTokens(5)
            .withStopOnEos(false), TokenListener.NONE);
        assertEquals(5, r.generatedIds().length);
      }
    }
  }

  /** The Qwen3-MoE shape loads as qwen3_moe, reads only its routed experts per token, and generates. */
  @Test
  void writesALoadableMixtureOfExperts() throws Exception {
    Path out = dir.resolve("moe");
    SyntheticModel.write(SyntheticModel.MINI_MOE, DType.BF16, out);
    try (LanguageModel m = LanguageModel.load(out, LoadOptions.defaults().withThreads(2)); Session s = m.newSession()) {
      assertEquals("qwen3_moe", m.config().family());
      assertEquals(8, m.config().numExperts());
      SyntheticModel.Experts e = SyntheticModel.MINI_MOE.experts();
      long expert = 3L * e.ffn() * SyntheticModel.MINI_MOE.hidden() * 2;
      long attention = 2L * (8 * 32 + 2 * 32) * 256 * 2;
      long perLayer = attention + 8L * 256 * 2 + e.topK() * expert;
      assertEquals(2 * perLayer + 1024L * 256 * 2, m.decodeBytes(), "attention, router, top-2 experts, head");
      GenerationResult r = s.generate(new int[] {1, 300, 301}, GenerationOptions.defaults().withMaxTokens(5)
          .withStopOnEos(false), TokenListener.NONE);
      assertEquals(5, r.generatedIds().length);
    }
  }

  @Test
  void syntheticTokenizerRoundTripsText() throws Exception {
    SyntheticTokenizer.write(dir, 1000);
    Tokenizer t = Tokenizer.load(dir);
    assertEquals(1000, t.vocabSize());
    int[] ids = t.encode("aé", true);
    assertEquals(1, ids[0], "BOS first");
    assertTrue(ids.length > 3, "byte fallback pieces");
    assertEquals("aé", t.decode(java.util.Arrays.copyOfRange(ids, 1, ids.length), true));
    assertArrayEquals(ids, t.encode("aé", true));
  }
}
