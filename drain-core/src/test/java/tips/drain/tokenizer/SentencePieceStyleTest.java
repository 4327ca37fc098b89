package tips.drain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny Llama-2-style tokenizer (Prepend/Replace normalizer, BPE with byte fallback and unk, Strip decoder)
 * checked piece by piece: merges in both JSON forms, byte fallback, fused unknowns, BOS template, decoding and
 * streaming of split UTF-8 characters.
 */
class SentencePieceStyleTest {
  @TempDir Path dir;

  static List<String> vocab() {
    List<String> v = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
    for (int b = 0; b < 256; b++) {
      v.add(String.format("<0x%02X>", b));
    }
    v.addAll(List.of("▁", "h", "e", "l", "o", "w", "r", "d", "he", "ll", "llo", "hello", "▁hello", "▁w", "or", "▁wor",
        "▁world", "ld"));
    return v; // "<unk>"=0, "<s>"=1, "</s>"=2, <0x00>=3 .. <0xFF>=258, "▁"=259, ...
  }

  static final List<String> MERGES = List.of("h e", "l l", "ll o", "he llo", "▁ hello", "▁ w", "o r", "▁w or", "l d",
      "▁wor ld");

  private Tokenizer load(String merges, String modelFlags) {
    String model = InlineTokenizers.bpe(vocab(), List.of(), modelFlags).replace("\"merges\": []", "\"merges\": " + merges);
    String json = InlineTokenizers.json(
        "[" + InlineTokenizers.added(0, "<unk>", true, "") + ", " + InlineTokenizers.added(1, "<s>", true, "") + ", "
            + InlineTokenizers.added(2, "</s>", true, "") + "]",
        """
        {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
          {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}""",
        "null",
        """
        {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
          {"Sequence": {"id": "A", "type_id": 0}}], "pair": [],
         "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}""",
        """
        {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
          {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}""",
        model);
    return InlineTokenizers.load(dir, json, "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}");
  }

  private Tokenizer standard() {
    StringBuilder merges = new StringBuilder("[");
    for (int i = 0; i < MERGES.size(); i++) {
      merges.append(i > 0 ? ", " : "").append(InlineTokenizers.quote(MERGES.get(i)));
    }
    return load(merges.append("]").toString(), "\"byte_fallback\": true, \"fuse_unk\": true, \"unk_token\": \"<unk>\"");
  }

  int id(Tokenizer t, String token) {
    int id = t.tokenToId(token);
    assertTrue(id >= 0, token);
    return id;
  }

  @Test
  void mergesAndBos() {
    Tokenizer t = standard();
    assertArrayEquals(new int[] {1, id(t, "▁hello"), id(t, "▁world")}, t.encode("hello world", true));
    assertArrayEquals(new int[] {id(t, "▁hello"), id(t, "▁world")}, t.encode("hello world", false));
    assertEquals("hello world", t.decode(t.encode("hello world", true), true));
    assertEquals("<s> hello world", t.decode(t.encode("hello world", true), false));
    assertEquals(1, t.bosId());
    assertEquals(2, t.eosId());
    assertTrue(t.isSpecial(1));
    assertFalse(t.isSpecial(id(t, "▁hello")));
  }

  @Test
  void mergesAsPairsGiveTheSameIds() {
    StringBuilder merges = new StringBuilder("[");
    for (int i = 0; i < MERGES.size(); i++) {
      String[] ab = MERGES.get(i).split(" ");
      merges.append(i > 0 ? ", " : "").append("[").append(InlineTokenizers.quote(ab[0])).append(", ")
          .append(InlineTokenizers.quote(ab[1])).append("]");
    }
    Tokenizer pairs = load(merges.append("]").toString(), "\"byte_fallback\": true");
    assertArrayEquals(standard().encode("hello world hell", true), pairs.encode("hello world hell", true));
  }

  @Test
  void mergeRankDecidesOrder() {
    // "hell" + "o": with "l l" (rank 1) before "ll o" (rank 2), "hello" must merge to ▁hello.
    Tokenizer t = standard();
    assertArrayEquals(new int[] {id(t, "▁"), id(t, "he"), id(t, "ll")}, t.encode("hell", false));
  }

  @Test
  void byteFallbackAndDecodeOfSplitCharacters() {
    Tokenizer t = standard();
    // 'é' is not in the vocab: its two UTF-8 bytes C3 A9 become <0xC3> <0xA9>.
    int[] ids = t.encode("hé", false);
    assertArrayEquals(new int[] {id(t, "▁"), id(t, "h"), 3 + 0xC3, 3 + 0xA9}, ids);
    assertEquals("hé", t.decode(ids, false));
    // a lone continuation byte decodes to one U+FFFD per byte, as Hugging Face does
    assertEquals("h\uFFFD\uFFFD", t.decode(new int[] {id(t, "h"), 3 + 0xA9, 3 + 0xA9}, false));
    StreamDecoder stream = t.streamDecoder(false);
    assertEquals("h", stream.next(id(t, "h")));
    assertEquals("", stream.next(3 + 0xC3), "half a character is held back");
    assertEquals("é", stream.next(3 + 0xA9));
    assertEquals("", stream.flush());
  }

  @Test
  void unknownCharactersFuseIntoOneUnk() {
    String model = InlineTokenizers.bpe(List.of("<unk>", "a", "b", "ab"), List.of("a b"),
        "\"unk_token\": \"<unk>\", \"fuse_unk\": true");
    Tokenizer fused = InlineTokenizers.load(dir, InlineTokenizers.json("[]", "null", "null", "null", "null", model), null);
    assertArrayEquals(new int[] {1, 0, 2}, fused.encode("axyb", false));
    String unfused = model.replace("\"fuse_unk\": true", "\"fuse_unk\": false");
    Tokenizer separate = InlineTokenizers.load(dir, InlineTokenizers.json("[]", "null", "null", "null", "null", unfused), null);
    assertArrayEquals(new int[] {1, 0, 0, 2}, separate.encode("axyb", false));
    assertArrayEquals(new int[] {3}, separate.encode("ab", false));
    assertArrayEquals(new int[] {3, 0}, separate.encode("abé", false), "no byte fallback: unk");
  }

  @Test
  void emptyTextAndSpecialTokenText() {
    Tokenizer t = standard();
    assertArrayEquals(new int[0], t.encode("", false));
    assertArrayEquals(new int[] {1}, t.encode("", true));
    assertEquals("", t.decode(new int[0], false));
    // the Prepend normalizer applies to each piece between added tokens
    assertArrayEquals(new int[] {id(t, "▁hello"), 1, id(t, "▁world")}, t.encode("hello<s>world", false));
  }

  @Test
  void streamingEqualsFullDecode() {
    Tokenizer t = standard();
    int[] ids = t.encode("hello wörld é hello", true);
    StreamDecoder stream = t.streamDecoder(true);
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      String piece = stream.next(id);
      assertFalse(piece.contains("\uFFFD"), piece);
      sb.append(piece);
    }
    sb.append(stream.flush());
    assertEquals(t.decode(ids, true), sb.toString());
    assertEquals("hello wörld é hello", sb.toString());
  }
}
