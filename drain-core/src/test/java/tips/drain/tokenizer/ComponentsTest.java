package tips.drain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tips.drain.testing.SharedTokenizers;

/** Pre-tokenizers, normalizers, decoders and added-token rules, each on its own, with Hugging Face's results. */
class ComponentsTest {
  private static final JsonPath HERE = new JsonPath("test.json", "");
  @TempDir Path dir;

  static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  static List<String> preTokenize(String config, String text, boolean atStart) {
    List<String> out = new ArrayList<>();
    PreTokenizers.fromJson(json(config), HERE).preTokenize(text, atStart, (w, s) -> out.add(w));
    return out;
  }

  @Test
  void metaspaceSchemes() {
    String always = "{\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"always\", \"split\": true}";
    assertEquals(List.of("▁Hey", "▁", "▁", "▁friend!"), preTokenize(always, "Hey   friend!", true));
    assertEquals(List.of("▁Hey", "▁friend!"), preTokenize(always, "Hey friend!", false));
    String first = always.replace("always", "first");
    assertEquals(List.of("▁Hey", "▁friend"), preTokenize(first, "Hey friend", true));
    assertEquals(List.of("Hey", "▁friend"), preTokenize(first, "Hey friend", false), "not at the start: no prefix");
    String never = always.replace("always", "never");
    assertEquals(List.of("Hey", "▁friend"), preTokenize(never, "Hey friend", true));
    String noSplit = first.replace("\"split\": true", "\"split\": false");
    assertEquals(List.of("▁Hey▁my▁friend▁"), preTokenize(noSplit, "Hey my friend ", true));
    String legacy = "{\"type\": \"Metaspace\", \"replacement\": \"▁\", \"add_prefix_space\": true}";
    assertEquals(List.of("▁a", "▁b"), preTokenize(legacy, "a b", false));
  }

  @Test
  void metaspaceDecoder() {
    Decoder always = Decoders.fromJson(json("{\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"always\"}"), HERE);
    assertEquals(List.of("Hey", " friend!"), always.decodeChain(List.of("▁Hey", "▁friend!")));
    Decoder never = Decoders.fromJson(json("{\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"never\"}"), HERE);
    assertEquals(List.of(" Hey", " friend!"), never.decodeChain(List.of("▁Hey", "▁friend!")));
  }

  @Test
  void digits() {
    assertEquals(List.of("Call ", "1", "2", "3", " now"),
        preTokenize("{\"type\": \"Digits\", \"individual_digits\": true}", "Call 123 now", true));
    assertEquals(List.of("Call ", "123", " now"),
        preTokenize("{\"type\": \"Digits\", \"individual_digits\": false}", "Call 123 now", true));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Removed|false|the,final,countdown",
      "Isolated|false|the,-,final,-,-,countdown",
      "MergedWithPrevious|false|the-,final-,-,countdown",
      "MergedWithNext|false|the,-final,-,-countdown",
      "Contiguous|false|the,-,final,--,countdown",
      "Removed|true|the,final,countdown",
      "Isolated|true|the,-,final,--,countdown"})
  void splitBehaviors(String behavior, boolean invert, String expected) {
    // the delimiter is "-" (or, inverted, everything between dashes is the match)
    String pattern = invert ? "{\"Regex\": \"[a-z]+\"}" : "{\"String\": \"-\"}";
    String config = "{\"type\": \"Split\", \"pattern\": " + pattern + ", \"behavior\": \"" + behavior
        + "\", \"invert\": " + invert + "}";
    assertEquals(List.of(expected.split(",")), preTokenize(config, "the-final--countdown", true));
  }

  @Test
  void byteLevelWithPrefixSpace() {
    String config = "{\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"use_regex\": true}";
    assertEquals(List.of("Ġhello", "Ġworld", "ĊĊ", "ĠÃ©"), preTokenize(config, "hello world\n\n é", true));
    Decoder decoder = Decoders.fromJson(json("{\"type\": \"ByteLevel\"}"), HERE);
    assertEquals(List.of(" hello world\n\n é"), decoder.decodeChain(List.of("Ġhello", "Ġworld", "ĊĊ", "ĠÃ©")));
    assertEquals(List.of("<|x|>\uFFFD"), decoder.decodeChain(List.of("<|x|>", "Ã")), "broken UTF-8 → U+FFFD");
  }

  @Test
  void normalizers() {
    Normalizer seq = Normalizers.fromJson(json("""
        {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Lowercase"},
          {"type": "Strip", "left": true, "right": true}, {"type": "Replace", "pattern": {"Regex": "\\\\s+"}, "content": "_"},
          {"type": "Prepend", "prepend": ">"}]}"""), HERE);
    assertEquals(">é_b", seq.normalize("  E\u0301\u00A0 B \u3000"));
    assertEquals("", seq.normalize(""), "Prepend leaves empty text empty");
    Normalizer nfd = Normalizers.fromJson(json("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFD\"}, {\"type\": \"StripAccents\"}]}"), HERE);
    assertEquals("eau", nfd.normalize("éàü"));
  }

  @Test
  void stripDecoder() {
    Decoder strip = Decoders.fromJson(json("{\"type\": \"Strip\", \"content\": \" \", \"start\": 1, \"stop\": 2}"), HERE);
    assertEquals(List.of(" a ", "b", ""), strip.decodeChain(List.of("  a   ", "b", " ")));
  }

  private Tokenizer withAdded(String addedTokens, String normalizer) {
    String model = InlineTokenizers.bpe(List.of("a", "b", " ", "x", "y", "<X>", "_", "▁"), List.of(), "");
    return InlineTokenizers.load(dir, InlineTokenizers.json(addedTokens, normalizer, "null", "null", "null", model), null);
  }

  @Test
  void addedTokenFlags() {
    // ids: a=0 b=1 ' '=2 x=3 y=4 <X>=5 _=6 ▁=7; added: <X> lstrip+rstrip (id 5), "xy" single_word (id 8)
    Tokenizer t = withAdded("[" + InlineTokenizers.added(5, "<X>", true, "\"lstrip\": true, \"rstrip\": true") + ", "
        + InlineTokenizers.added(8, "xy", false, "\"single_word\": true, \"normalized\": false") + "]", "null");
    assertArrayEquals(new int[] {0, 5, 1}, t.encode("a  <X>  b", false), "lstrip/rstrip take the spaces");
    assertArrayEquals(new int[] {0, 2, 8, 2, 1}, t.encode("a xy b", false), "single word matches");
    assertArrayEquals(new int[] {0, 3, 4}, t.encode("axy", false), "inside a word: not the added token");
    // without a decoder, Hugging Face joins the tokens with spaces
    assertEquals("a <X> b", t.decode(new int[] {0, 5, 1}, false));
    assertEquals("a b", t.decode(new int[] {0, 5, 1}, true), "special tokens skipped");
    assertEquals("a xy b", t.decode(new int[] {0, 8, 1}, true), "non-special kept");
  }

  @Test
  void normalizedAddedTokensMatchTheNormalizedText() {
    // normalizer maps ' ' to '▁'; the added token "a b" (normalized: true) is matched as "a▁b"
    String replace = "{\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}, \"content\": \"▁\"}";
    Tokenizer t = withAdded("[" + InlineTokenizers.added(8, "a b", false, "\"normalized\": true") + "]", replace);
    assertArrayEquals(new int[] {3, 8, 4}, t.encode("xa by", false));
    Tokenizer raw = withAdded("[" + InlineTokenizers.added(8, "a b", false, "\"normalized\": false") + "]", replace);
    assertArrayEquals(new int[] {3, 8, 4}, raw.encode("xa by", false));
    assertArrayEquals(new int[] {3, 0, 7, 7, 1}, raw.encode("xa  b", false), "no match: normalized pieces");
  }

  @Test
  void ignoreMergesTakesWholeWordsFromTheVocab() {
    List<String> vocab = List.of("a", "b", "c", "ab", "abc", "bc");
    String withIgnore = InlineTokenizers.bpe(vocab, List.of("a b", "b c"), "\"ignore_merges\": true");
    Tokenizer t = InlineTokenizers.load(dir, InlineTokenizers.json("[]", "null", "null", "null", "null", withIgnore), null);
    assertArrayEquals(new int[] {4}, t.encode("abc", false), "whole word in vocab");
    String plain = InlineTokenizers.bpe(vocab, List.of("a b", "b c"), "");
    Tokenizer p = InlineTokenizers.load(dir, InlineTokenizers.json("[]", "null", "null", "null", "null", plain), null);
    assertArrayEquals(new int[] {3, 2}, p.encode("abc", false), "merges: ab + c");
  }

  @Test
  void loneSurrogatesReadAsReplacementCharacter() {
    Tokenizer t = SharedTokenizers.get("llama3");
    assertArrayEquals(t.encode("a\uFFFDb\uFFFD", false), t.encode("a\uD800b\uDFFF", false));
    assertArrayEquals(t.encode("\uFFFD😀", false), t.encode("\uDC00😀", false));
    assertEquals("a\uFFFDb", t.decode(t.encode("a\uD83Db", false), false));
    assertEquals("\uFFFD", Utf8.replaceLoneSurrogates("\uD800"));
    assertEquals("😀", Utf8.replaceLoneSurrogates("😀"));
    Tokenizer sp = SharedTokenizers.get("mistral-v1");
    assertArrayEquals(sp.encode("x\uFFFD", true), sp.encode("x\uDBFF", true));
  }

  @Test
  void lossyUtf8LikeRust() {
    byte[] bytes = {(byte) 0xE4, (byte) 0xB8, 'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xF0, (byte) 0x9F,
        (byte) 0x98, (byte) 0x80, (byte) 0xFF};
    // E4 B8: one U+FFFD (truncated); ED A0 80: three (surrogate range); F0 9F 98 80: 😀; FF: one
    assertEquals("\uFFFDa\uFFFD\uFFFD\uFFFD😀\uFFFD", Utf8.decodeLossy(bytes, bytes.length));
  }

  @Test
  void cleanUpTokenizationSpaces() {
    assertEquals("Hello, world! It's 'ok' isn't it? Yes.",
        Tokenizer.cleanUpTokenizationSpaces("Hello , world ! It 's 'ok' is n't it ? Yes ."));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "model|{\"type\": \"WordLevel\", \"vocab\": {}}|model: unsupported model type 'WordLevel'",
      "model|{\"type\": \"Unigram\", \"vocab\": []}|model: unsupported model type 'Unigram'",
      "normalizer|{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"\"}|normalizer: unsupported normalizer type 'Precompiled'",
      "normalizer|{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Precompiled\"}]}|normalizer.normalizers[0]: unsupported normalizer type 'Precompiled'",
      "pre_tokenizer|{\"type\": \"CharDelimiterSplit\"}|pre_tokenizer: unsupported pre_tokenizer type 'CharDelimiterSplit'",
      "decoder|{\"type\": \"CTC\"}|decoder: unsupported decoder type 'CTC'",
      "post_processor|{\"type\": \"Mystery\"}|post_processor: unsupported post_processor type 'Mystery'"})
  void unsupportedComponentsAreRefusedByName(String part, String config, String message) {
    String model = InlineTokenizers.bpe(List.of("a"), List.of(), "");
    String json = switch (part) {
      case "model" -> InlineTokenizers.json("[]", "null", "null", "null", "null", config);
      case "normalizer" -> InlineTokenizers.json("[]", config, "null", "null", "null", model);
      case "pre_tokenizer" -> InlineTokenizers.json("[]", "null", config, "null", "null", model);
      case "decoder" -> InlineTokenizers.json("[]", "null", "null", "null", config, model);
      default -> InlineTokenizers.json("[]", "null", "null", config, "null", model);
    };
    TokenizerException e = assertThrows(TokenizerException.class, () -> InlineTokenizers.load(dir, json, null));
    assertTrue(e.getMessage().contains("tokenizer.json: " + message), e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.load(dir.resolve("nowhere")));
    assertTrue(e.getMessage().contains("nowhere/tokenizer.json: not found"), e.getMessage());
  }
}
