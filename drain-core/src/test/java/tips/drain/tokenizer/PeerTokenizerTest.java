package tips.drain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tips.drain.testing.SharedTokenizers;

/**
 * The {@code comparable} cases of the peer test suites in {@code tokenizers/golden/peer-*.json}: ids and texts
 * as the Hugging Face reference computes them on our files (which equal the peers' own expectations except
 * where a peer uses Llama 3.1 token names; the file records those).
 */
class PeerTokenizerTest {
  private static final String[] FILES = {"peer-llama-tokenizer-js.json", "peer-mistral-tokenizer-js.json",
      "peer-mistral-tokenizer-ts.json", "peer-llama3-tokenizer-js.json", "peer-transformersjs-tests.json"};

  @TestFactory
  List<DynamicNode> peerFiles() {
    List<DynamicNode> files = new ArrayList<>();
    for (String file : FILES) {
      JsonNode root = SharedTokenizers.golden(file);
      JsonNode against = root.get("compared_against").get("tokenizer");
      String defaultTokenizer = against == null ? null : against.asText().split(" ")[0];
      List<DynamicTest> tests = new ArrayList<>();
      int index = 0;
      for (JsonNode c : root.get("cases")) {
        index++;
        if (!c.get("comparable").asBoolean()) {
          continue;
        }
        String tokenizerName = c.has("tokenizer") ? c.get("tokenizer").asText() : defaultTokenizer;
        String label = index + " " + (c.has("kind") ? c.get("kind").asText() : c.get("test").asText()) + " "
            + GoldenTokenizerTest.quote(c.has("text") ? abbreviate(c.get("text").asText()) : c.get("ids").toString());
        tests.add(DynamicTest.dynamicTest(label, () -> check(SharedTokenizers.get(tokenizerName), c)));
      }
      int comparable = root.get("summary").get("comparable").asInt();
      assertEquals(comparable, tests.size(), file + ": comparable cases");
      files.add(DynamicContainer.dynamicContainer(file, tests));
    }
    return files;
  }

  private static void check(Tokenizer tokenizer, JsonNode c) {
    String call = c.has("reference_call") ? c.get("reference_call").asText() : null;
    if (c.has("reference_ids")) {
      int[] expected = SharedTokenizers.ids(c.get("reference_ids"));
      String text = c.get("text").asText();
      boolean special = call == null || call.contains("add_special_tokens=true");
      int[] ids = tokenizer.encode(text, special);
      if (call != null && call.contains("+ [128001")) {
        ids = Arrays.copyOf(ids, ids.length + 1);
        ids[ids.length - 1] = 128001;
      }
      assertArrayEquals(expected, ids, "ids");
      if (c.path("agrees").asBoolean(false)) {
        assertArrayEquals(SharedTokenizers.ids(c.get("expected_ids")), ids, "peer's expected ids");
      }
      if (c.has("implied_decode")) {
        assertEquals(c.get("implied_decode").get("reference_decode_skip_special").asText(),
            tokenizer.decode(SharedTokenizers.ids(c.get("expected_ids")), true), "implied decode");
      }
      if (c.has("reference_decoded")) {
        boolean skip = call != null && call.contains("skip_special_tokens=true");
        boolean cleanUp = call == null && tokenizer.config().cleanUpTokenizationSpaces();
        assertEquals(c.get("reference_decoded").asText(), tokenizer.decode(expected, skip, cleanUp), "decoded");
      }
    } else if (c.has("reference_decoded")) {
      assertTrue(call.startsWith("decode(ids, skip_special_tokens="), call);
      boolean skip = call.contains("skip_special_tokens=true");
      assertEquals(c.get("reference_decoded").asText(), tokenizer.decode(SharedTokenizers.ids(c.get("ids")), skip));
    } else {
      fail("comparable case without reference values: " + c);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
