package tips.drain.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tips.drain.testing.SharedTokenizers;

/**
 * The hand-written matcher for the GPT-2 / Llama 3 / Qwen 2 regexes against the same regexes compiled by
 * {@link OnigRegex} (java.util.regex with Oniguruma's Unicode semantics), on the golden corpus, on hand-picked
 * edge cases and on random strings; and the places where plain java.util.regex would differ from Oniguruma.
 */
class GptSplitterTest {
  private static final String[] PATTERNS = {GptSplitter.GPT2, GptSplitter.LLAMA3, GptSplitter.QWEN2};

  /** Characters that stress the classes: whitespace kinds, letters, numbers (Nd, Nl, No), marks, symbols. */
  private static final String[] ALPHABET = {"a", "Z", "s", "S", "t", "T", "r", "e", "E", "v", "m", "l", "L", "d",
      "ſ", "'", "’", " ", "  ", "\t", "\n", "\r", "\r\n", "\u000B", "\f", "\u0085", "\u00A0", "\u1680", "\u2003",
      "\u2028", "\u2029", "\u202F", "\u205F", "\u3000", "\u200B", "\u180E", "0", "7", "١", "²", "Ⅻ", "½", "é", "e\u0301",
      "中", "ß", "ǅ", "ʰ", "😀", "👍🏽", "𝒳", "\uD835\uDFCE", ".", ",", "!", "?", "-", "_", "(", "\"", "#", "$", "€", "<|",
      "|>", "/", "\\", "\u0000", "\u001F"};

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void agreesWithTheRegexOnTheGoldenCorpus(int which) {
    String pattern = PATTERNS[which];
    GptSplitter fast = GptSplitter.forPattern(pattern);
    Pattern regex = OnigRegex.compile(pattern, new JsonPath("test", ""));
    JsonNode corpus = SharedTokenizers.golden("corpus.json");
    int checked = 0;
    for (JsonNode c : corpus.isArray() ? corpus : corpus.get("cases")) {
      String text = c.get("text").asText();
      assertEquals(regexSplit(regex, text), fastSplit(fast, text), c.get("id").asText());
      checked++;
    }
    assertEquals(166, checked);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void agreesWithTheRegexOnRandomStrings(int which) {
    String pattern = PATTERNS[which];
    GptSplitter fast = GptSplitter.forPattern(pattern);
    Pattern regex = OnigRegex.compile(pattern, new JsonPath("test", ""));
    Random random = new Random(42 + which);
    for (int i = 0; i < 3000; i++) {
      StringBuilder sb = new StringBuilder();
      int len = 1 + random.nextInt(12);
      for (int k = 0; k < len; k++) {
        sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
      }
      String text = sb.toString();
      assertEquals(regexSplit(regex, text), fastSplit(fast, text), GoldenTokenizerTest.quote(text));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "I'm here. You'RE there, they'Ve; she'LL 'd",
      "HE'S  \n\n  \t x",
      "it'ſ long s",
      "1234567 12 ½²Ⅻ",
      "a\u00A0b\u3000c\u2028d",
      "   leading and trailing   ",
      "\r\n\r\n  \n x  \n",
      "😀hello (world) [x]\n\n",
      "!!!\n\n\nabc"})
  void knownEdgeCasesAgree(String text) {
    for (String pattern : PATTERNS) {
      Pattern regex = OnigRegex.compile(pattern, new JsonPath("test", ""));
      assertEquals(regexSplit(regex, text), fastSplit(GptSplitter.forPattern(pattern), text), pattern);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"x'ſt", "a\u00A0\u00A0b", "a\u3000\u3000b", "x\u2028\u2028y"})
  void plainJavaRegexWouldDiffer(String text) {
    // Without UNICODE_CHARACTER_CLASS, Java's \s is ASCII only and (?i) folds ASCII only; Oniguruma is Unicode.
    Pattern plain = Pattern.compile(GptSplitter.LLAMA3);
    Pattern onig = OnigRegex.compile(GptSplitter.LLAMA3, new JsonPath("test", ""));
    assertNotEquals(regexSplit(plain, text), regexSplit(onig, text));
    assertEquals(regexSplit(onig, text), fastSplit(GptSplitter.forPattern(GptSplitter.LLAMA3), text));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void expectedPieces(int which) {
    GptSplitter fast = GptSplitter.forPattern(PATTERNS[which]);
    assertNotNull(fast);
    List<String> pieces = fastSplit(fast, "Hello world's 2024!\n\n  end");
    List<String> expected = switch (which) {
      case 0 -> List.of("Hello", " world", "'s", " 2024", "!\n\n", " ", " end");
      case 1 -> List.of("Hello", " world", "'s", " ", "202", "4", "!\n\n", " ", " end");
      default -> List.of("Hello", " world", "'s", " ", "2", "0", "2", "4", "!\n\n", " ", " end");
    };
    if (which == 0) {
      // GPT-2 has no [\r\n]* after punctuation: "!" then "\n\n " whitespace rules
      expected = List.of("Hello", " world", "'s", " 2024", "!", "\n\n ", " end");
    }
    assertEquals(expected, pieces);
  }

  static List<String> fastSplit(GptSplitter splitter, String text) {
    IntList m = new IntList(8);
    splitter.findMatches(text, m);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < m.size(); i += 2) {
      out.add(text.substring(m.get(i), m.get(i + 1)));
    }
    return out;
  }

  static List<String> regexSplit(Pattern pattern, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    int prev = 0;
    while (m.find()) {
      if (m.start() > prev) {
        out.add("<gap:" + text.substring(prev, m.start()) + ">");
      }
      out.add(m.group());
      prev = m.end();
    }
    if (prev < text.length()) {
      out.add("<gap:" + text.substring(prev) + ">");
    }
    return out;
  }
}
