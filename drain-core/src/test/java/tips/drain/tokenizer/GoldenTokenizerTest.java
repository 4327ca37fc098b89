package tips.drain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tips.drain.testing.SharedTokenizers;

/**
 * Every case of {@code tokenizers/golden/<tokenizer>.json} (166 strings × with/without special tokens, from the
 * Hugging Face Rust library): ids, decode, decode skipping special tokens, transformers' cleaned-up decode,
 * and streaming decode.
 */
class GoldenTokenizerTest {

  @TestFactory
  List<DynamicNode> goldenFiles() {
    List<DynamicNode> files = new ArrayList<>();
    for (String name : SharedTokenizers.NAMES) {
      files.add(DynamicContainer.dynamicContainer(name + ".json", cases(name)));
    }
    return files;
  }

  private static List<DynamicTest> cases(String name) {
    JsonNode cases = SharedTokenizers.golden(name + ".json").get("cases");
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases) {
      String text = c.get("text").asText();
      boolean special = c.get("add_special_tokens").asBoolean();
      tests.add(DynamicTest.dynamicTest(c.get("id").asText() + (special ? " +special" : ""), () -> {
        Tokenizer tokenizer = SharedTokenizers.get(name);
        int[] expected = SharedTokenizers.ids(c.get("ids"));
        assertArrayEquals(expected, tokenizer.encode(text, special), "ids of " + quote(text));
        assertEquals(c.get("decoded").asText(), tokenizer.decode(expected, false), "decoded");
        assertEquals(c.get("decoded_skip_special").asText(), tokenizer.decode(expected, true), "decoded_skip_special");
        if (c.has("decoded_clean_up")) {
          assertEquals(c.get("decoded_clean_up").asText(),
              tokenizer.decode(expected, true, tokenizer.config().cleanUpTokenizationSpaces()), "decoded_clean_up");
        }
        StreamDecoder stream = tokenizer.streamDecoder(false);
        StringBuilder sb = new StringBuilder();
        for (int id : expected) {
          sb.append(stream.next(id));
        }
        sb.append(stream.flush());
        assertEquals(c.get("decoded").asText(), sb.toString(), "streamed decode");
      }));
    }
    return tests;
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().forEach(cp -> {
      if (cp < 0x20 || cp > 0x7E) {
        sb.append(String.format("\\u{%x}", cp));
      } else {
        sb.appendCodePoint(cp);
      }
    });
    return sb.append('"').toString();
  }
}
