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
