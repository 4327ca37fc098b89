package tips.drain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WordPiece components one by one, on a small vocabulary written by the test. */
class WordPieceComponentsTest {
  private static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##believ", "##able",
      "a", "##b", "!", "中", "cafe", "ab", "aa", "##a");

  static String wordPiece(int maxChars) {
    StringBuilder sb = new StringBuilder("{\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\", "
        + "\"max_input_chars_per_word\": " + maxChars + ", \"vocab\": {");
    for (int i = 0; i < VOCAB.size(); i++) {
      sb.append(i > 0 ? ", " : "").append(InlineTokenizers.quote(VOCAB.get(i))).append(": ").append(i);
    }
    return sb.append("}}").toString();
  }

  static Tokenizer bert(Path dir, String normalizer, String extraTopLevel, int maxChars) {
    String json = InlineTokenizers.json("""
        [{"id": 0, "content": "[PAD]", "special": true, "normalized": false},
         {"id": 2, "content": "[CLS]", "special": true, "normalized": false},
         {"id": 3, "content": "[SEP]", "special": true, "normalized": false}]""",
        normalizer, "{\"type\": \"BertPreTokenizer\"}",
        "{\"type\": \"BertProcessing\", \"cls\": [\"[CLS]\", 2], \"sep\": [\"[SEP]\", 3]}",
        "{\"type\": \"WordPiece\", \"prefix\": \"##\", \"cleanup\": true}", wordPiece(maxChars));
    if (extraTopLevel != null) {
      json = json.replace("\"truncation\": null, \"padding\": null,", extraTopLevel);
    }
    return InlineTokenizers.load(dir, json, null);
  }

  static final String BERT_NORMALIZER =
      "{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true, \"strip_accents\": null, \"lowercase\": true}";

  @Test
  void greedyLongestMatchWithContinuationPrefix(@TempDir Path dir) {
    Tokenizer t = bert(dir, BERT_NORMALIZER, null, 100);
    assertArrayEquals(new int[] {4, 5, 6}, t.encode("unbelievable", false));
    // "aab": "aa" then "##b"; greedy from the left, not the best split
    assertArrayEquals(new int[] {13, 8}, t.encode("aab", false));
    // a word with a part nothing matches is one [UNK], not the pieces found before it
    assertArrayEquals(new int[] {1}, t.encode("unbelievablez", false));
    assertArrayEquals(new int[] {2, 4, 5, 6, 9, 3}, t.encode("Unbelievable!", true));
  }

  @Test
  void wordsLongerThanTheLimitAreUnknown(@TempDir Path dir) {
    Tokenizer t = bert(dir, BERT_NORMALIZER, null, 3);
    assertArrayEquals(new int[] {13, 14}, t.encode("aaa", false));
    assertArrayEquals(new int[] {1}, t.encode("aaaa", false));
    // the limit counts characters, not UTF-16 units: "a" + three supplementary characters is 4
    assertArrayEquals(new int[] {1, 1}, t.encode("a\uD83D\uDE00\uD83D\uDE00 \uD83D\uDE00", false));
  }

  @Test
  void bertNormalizerCleansSplitsChineseStripsAccentsAndLowercases(@TempDir Path dir) {
    Tokenizer t = bert(dir, BERT_NORMALIZER, null, 100);
    // control characters (U+0007, zero-width space is Cf) vanish; tab and newline separate words
    assertArrayEquals(new int[] {7, 7}, t.encode("a\u0007\u200B\ta\n", false));
    // each CJK ideograph is a word of its own, even inside a word
    assertArrayEquals(new int[] {7, 10, 7}, t.encode("a中a", false));
    // strip_accents follows lowercase when null: "Café" → "cafe"
    assertArrayEquals(new int[] {11}, t.encode("CAF\u00C9", false));
    assertEquals("cafe", new BertNormalizer(true, true, true, true).normalize("Cafe\u0301"));
    assertEquals("Café", new BertNormalizer(true, true, false, false).normalize("Café"));
    // per-character lowercase, like Rust's char::to_lowercase (no final-sigma rule)
    assertEquals("σσ", BertNormalizer.lowercaseEach("ΣΣ"));
    assertEquals("i\u0307", BertNormalizer.lowercaseEach("\u0130"));
  }

  @Test
  void wordPieceDecoderJoinsPiecesAndCleansUp(@TempDir Path dir) {
    Tokenizer t = bert(dir, BERT_NORMALIZER, null, 100);
    assertEquals("unbelievable! a", t.decode(new int[] {2, 4, 5, 6, 9, 7, 3}, true));
    assertEquals("[CLS] unbelievable! a [SEP]", t.decode(new int[] {2, 4, 5, 6, 9, 7, 3}, false));
  }

  @Test
  void truncationAndPaddingSettingsAreReadAndApplied(@TempDir Path dir) {
    Tokenizer t = bert(dir, BERT_NORMALIZER, """
        "truncation": {"direction": "Left", "max_length": 4, "strategy": "LongestFirst", "stride": 0},
        "padding": {"strategy": {"Fixed": 6}, "direction": "Right", "pad_to_multiple_of": null, "pad_id": 0,
                    "pad_type_id": 0, "pad_token": "[PAD]"},""", 100);
    assertEquals(new Truncation(Truncation.Side.LEFT, 4), t.truncation().orElseThrow());
    assertEquals(2, t.specialTokenCount());
    // "un ##believ ##able !" cut from the left to two pieces, then [CLS] .. [SEP], then padded to 6
    assertArrayEquals(new int[] {2, 6, 9, 3, 0, 0}, t.encodeAsConfigured("unbelievable!"));
    assertArrayEquals(new int[] {2, 4, 5, 6, 9, 3}, t.encode("unbelievable!", true));
  }

  @Test
  void badSettingsAreRefusedNamingTheField(@TempDir Path dir) {
    TokenizerException e = assertThrows(TokenizerException.class, () -> bert(dir, BERT_NORMALIZER,
        "\"truncation\": {\"direction\": \"Up\", \"max_length\": 4}, \"padding\": null,", 100));
    assertTrue(e.getMessage().contains("truncation.direction"), e.getMessage());
    e = assertThrows(TokenizerException.class, () -> bert(dir, BERT_NORMALIZER, "\"truncation\": null, "
        + "\"padding\": {\"strategy\": {\"Fixed\": 0}},", 100));
    assertTrue(e.getMessage().contains("padding.strategy"), e.getMessage());
    e = assertThrows(TokenizerException.class, () -> bert(dir, BERT_NORMALIZER, null, 0));
    assertTrue(e.getMessage().contains("max_input_chars_per_word"), e.getMessage());
  }
}
