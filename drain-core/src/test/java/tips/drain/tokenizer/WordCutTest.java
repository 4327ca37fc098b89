package tips.drain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tips.drain.testing.SharedTokenizers;
import tips.drain.testing.TestData;

/**
 * SentencePiece-style tokenizers encode a whole text segment as one BPE word; BpeModel cuts it before word
 * marks that no merge can cross. The cut result must equal merging the whole word, on real text.
 */
class WordCutTest {

  @ParameterizedTest
  @ValueSource(strings = {"mistral-v1", "llama2-derived", "gemma3"})
  void cuttingBeforeWordMarksChangesNothing(String name) throws IOException {
    BpeModel model = (BpeModel) ((HfTokenizer) SharedTokenizers.get(name)).model();
    String story = Files.readString(TestData.path("eval/stories.txt"));
    StringBuilder words = new StringBuilder(story.substring(0, Math.min(story.length(), 20_000)));
    for (JsonNode c : SharedTokenizers.golden("corpus.json")) {
      words.append(' ').append(c.get("text").asText());
    }
    words.append("  double  spaces,\ttabs  and ▁▁ marks ▁x a▁b <0x41>▁y");
    String word = "▁" + words.toString().replace(' ', '▁');
    IntList cut = new IntList(word.length());
    model.tokenize(word, cut);
    int[] whole = model.mergeWhole(word);
    assertTrue(whole.length > 1000);
    assertArrayEquals(whole, cut.toArray());
  }
}
