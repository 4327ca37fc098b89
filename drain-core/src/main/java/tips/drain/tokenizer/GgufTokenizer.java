package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tips.drain.io.GgufMetadata;

/**
 * The tokenizer a GGUF file stores in its {@code tokenizer.ggml.*} metadata, built from the same pipeline pieces
 * as a tokenizer.json, in the form Hugging Face's converters give the model it came from:
 * <ul>
 *   <li>{@code llama} (SentencePiece BPE): the pieces and their scores become a BPE vocabulary with the merges
 *       transformers derives from the scores, byte fallback when the vocabulary has {@code <0xXX>} pieces, the
 *       space-to-▁ normalizer (with the prefix ▁ unless {@code tokenizer.ggml.add_space_prefix} is false);</li>
 *   <li>{@code gpt2} (byte-level BPE): the vocabulary and {@code tokenizer.ggml.merges}, and the word splitting
 *       named by {@code tokenizer.ggml.pre} ({@link #PRE_TYPES}).</li>
 * </ul>
 * Control and user-defined tokens ({@code tokenizer.ggml.token_type} 3 and 4) are added tokens, control ones
 * special; BOS/EOS are added as {@code tokenizer.ggml.add_bos_token} / {@code add_eos_token} say; the chat
 * template is {@code tokenizer.chat_template}. Other models ({@code bert}: WordPiece...) are refused, naming them.
 */
final class GgufTokenizer {
  /** The {@code tokenizer.ggml.pre} values of {@code gpt2} vocabularies DRAIN splits exactly as Hugging Face. */
  static final String PRE_TYPES = "llama-bpe (llama3, llama-v3), smaug-bpe, dbrx, tekken, qwen2, gpt-2, falcon, starcoder, "
      + "deepseek-llm, deepseek-coder, deepseek-v3, default";

  // The word-splitting regexes of the tokenizer.json files these pre-tokenizer types stand for, as llama.cpp lists them.
  // Letters that Unicode normalization would change (U+1F7D, U+2126...) are written as escapes.
  private static final String LLAMA3_CASED = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?"
      + "\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  private static final String TEKKEN = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
      + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|\\p{N}"
      + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  private static final String DEEPSEEK_LETTERS = "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚ"
      + "Ḁ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\\x{1F7D}ᾀ-ᾴᾶ-ᾼ\\x{1FBE}ῂ-ῄῆ-ῌῐ-\\x{1FD3}ῖ-\\x{1FDB}ῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\\x{2126}ℨ\\x{212A}-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ"
      + "\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}"
      + "\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}]+";
  private static final String DEEPSEEK_PUNCTUATION = "\\s?[!-/:-~！-／：-～‘-‟　-。]+";
  private static final String CJK = "[一-龥ࠀ-一가-퟿]+";
  private static final String DEEPSEEK3 = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?"
      + "[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+";
  private static final String GPT2_NO_TRAILING = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONTROL = 3;
  private static final int USER_DEFINED = 4;
  private static final int UNKNOWN = 2;

  private GgufTokenizer() {}

  static Tokenizer load(GgufMetadata m, Path file) {
    String model = m.optString("tokenizer.ggml.model")
        .orElseThrow(() -> new TokenizerException(file + ": no tokenizer in this GGUF file (tokenizer.ggml.model is missing)"));
    List<String> tokens = m.strings("tokenizer.ggml.tokens");
    int[] types = m.has("tokenizer.ggml.token_type") ? m.ints("tokenizer.ggml.token_type") : new int[0];
    if (types.length != 0 && types.length != tokens.size()) {
      throw new TokenizerException(file + ": tokenizer.ggml.token_type has " + types.length + " entries for "
          + tokens.size() + " tokens");
    }
    Map<String, Integer> vocab = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      vocab.putIfAbsent(tokens.get(i), i);
    }
    JsonPath where = new JsonPath(file.toString(), "tokenizer.ggml");
    return switch (model) {
      case "llama" -> sentencePiece(m, file, tokens, types, vocab, where);
      case "gpt2" -> byteLevel(m, file, tokens, types, vocab, where);
      case "bert" -> throw new TokenizerException(file + ": tokenizer.ggml.model 'bert' (WordPiece) is not supported by "
          + "this build; its vocabulary reads as Hugging Face's through wordPieceVocab");
      default -> throw new TokenizerException(file + ": tokenizer.ggml.model '" + model
          + "' is not supported (llama: SentencePiece BPE, gpt2: byte-level BPE)");
    };
  }

  /**
   * A {@code bert} GGUF vocabulary as Hugging Face's WordPiece vocab: llama.cpp's converter marks word-initial
   * pieces with a leading ▁ and writes continuation pieces without {@code ##}; control tokens and bracketed
   * ones ({@code [unused0]}) stay as they are. For a WordPiece model to plug in.
   */
  static Map<String, Integer> wordPieceVocab(List<String> tokens, int[] types) {
    Map<String, Integer> vocab = new LinkedHashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      String piece;
      if (t.startsWith("\u2581")) {
        piece = t.substring(1);
      } else if ((i < types.length && types[i] == CONTROL) || (t.length() > 1 && t.startsWith("[") && t.endsWith("]"))) {
        piece = t;
      } else {
        piece = "##" + t;
      }
      vocab.putIfAbsent(piece, i);
    }
    return vocab;
  }

  private static Tokenizer sentencePiece(GgufMetadata m, Path file, List<String> tokens, int[] types,
      Map<String, Integer> vocab, JsonPath where) {
    if (!m.has("tokenizer.ggml.scores")) {
      throw new TokenizerException(file + ": tokenizer.ggml.scores is missing (a SentencePiece vocabulary needs them)");
    }
    float[] scores = m.floats("tokenizer.ggml.scores");
    if (scores.length != tokens.size()) {
      throw new TokenizerException(file + ": tokenizer.ggml.scores has " + scores.length + " entries for " + tokens.size()
          + " tokens");
    }
    boolean prefix = m.optBool("tokenizer.ggml.add_space_prefix").orElse(true);
    int unk = m.optTokenId("tokenizer.ggml.unknown_token_id").orElse(-1);
    boolean byteFallback = vocab.containsKey("<0x00>") && vocab.containsKey("<0xFF>");
    BpeModel bpe = new BpeModel(vocab, scoreMerges(tokens, scores, vocab), unk, true, byteFallback, false, "", "");
    String normalizer = prefix
        ? "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Prepend\",\"prepend\":\"▁\"},"
            + "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"▁\"}]}"
        : "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"▁\"}";
    String decoder = "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"▁\"},\"content\":\" \"},"
        + "{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"}"
        + (prefix ? ",{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}" : "") + "]}";
    Normalizer n = Normalizers.fromJson(json(normalizer), where.child("normalizer"));
    return assemble(m, file, tokens, types, n, null, bpe, Decoders.fromJson(json(decoder), where.child("decoder")), true);
  }

  /**
   * The merges transformers' SentencePiece converter derives: every split of a piece into two pieces of the
   * vocabulary, ordered by the piece's score (highest first), then by the longer left part, then the longer
   * right part; within a piece by the ids of its parts.
   */
  static MergeTable scoreMerges(List<String> tokens, float[] scores, Map<String, Integer> vocab) {
    record Merge(int left, int right, int merged, float score, int leftLength, int rightLength) {}
    List<Merge> merges = new ArrayList<>();
    for (int id = 0; id < tokens.size(); id++) {
      String piece = tokens.get(id);
      if (vocab.get(piece) != id) {
        continue;
      }
      List<Merge> local = new ArrayList<>();
      for (int i = piece.offsetByCodePoints(0, Math.min(1, piece.length())); i > 0 && i < piece.length();
          i = piece.offsetByCodePoints(i, 1)) {
        Integer l = vocab.get(piece.substring(0, i));
        Integer r = vocab.get(piece.substring(i));
        if (l != null && r != null) {
          local.add(new Merge(l, r, id, scores[id], piece.codePointCount(0, i), piece.codePointCount(i, piece.length())));
        }
      }
      local.sort(Comparator.comparingInt(Merge::left).thenComparingInt(Merge::right));
      merges.addAll(local);
    }
    merges.sort(Comparator.comparingDouble((Merge x) -> x.score()).thenComparingInt(Merge::leftLength)
        .thenComparingInt(Merge::rightLength).reversed());
    MergeTable table = new MergeTable(merges.size());
    for (int rank = 0; rank < merges.size(); rank++) {
      Merge x = merges.get(rank);
      table.put(x.left(), x.right(), rank, x.merged());
    }
    return table;
  }

  private static Tokenizer byteLevel(GgufMetadata m, Path file, List<String> tokens, int[] types,
      Map<String, Integer> vocab, JsonPath where) {
    List<String> lines = m.strings("tokenizer.ggml.merges");
    List<String> lefts = new ArrayList<>(lines.size());
    List<String> rights = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int space = line.indexOf(' ', 1);
      if (space < 0) {
        throw new TokenizerException(file + ": tokenizer.ggml.merges[" + i + "] is \"" + line + "\", expected \"left right\"");
      }
      lefts.add(line.substring(0, space));
      rights.add(line.substring(space + 1));
    }
    MergeTable merges = TokenizerJson.merges(lefts, rights, vocab, "", where.child("merges"));
    String pre = m.optString("tokenizer.ggml.pre").orElse("default");
    // Llama 3's tokenizer.json looks a whole word up in the vocabulary before merging (ignore_merges)
    boolean llama3 = pre.equals("llama-bpe") || pre.equals("llama3") || pre.equals("llama-v3");
    boolean ignoreMerges = llama3 || pre.equals("tekken");
    BpeModel bpe = new BpeModel(vocab, merges, -1, false, false, ignoreMerges, "", "");
    String normalizer = pre.equals("qwen2") || pre.equals("deepseek-r1-qwen") ? "{\"type\":\"NFC\"}" : null;
    String preTokenizer = preTokenizerJson(pre, file);
    Normalizer n = normalizer == null ? null : Normalizers.fromJson(json(normalizer), where.child("normalizer"));
    PreTokenizer p = PreTokenizers.fromJson(json(preTokenizer), where.child("pre"));
    Decoder d = Decoders.fromJson(json("{\"type\":\"ByteLevel\"}"), where.child("decoder"));
    return assemble(m, file, tokens, types, n, p, bpe, d, ignoreMerges);
  }

  /**
   * The tokenizer.json {@code pre_tokenizer} of the byte-level BPE models whose GGUF files llama.cpp marks with
   * {@code tokenizer.ggml.pre} = {@code pre}; {@code default} is llama.cpp's own fallback for files without one.
   */
  static String preTokenizerJson(String pre, Path file) {
    String byteLevelNoRegex = "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"use_regex\":false}";
    String byteLevelRegex = "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"use_regex\":true}";
    return switch (pre) {
      case "llama-bpe", "llama3", "llama-v3" -> sequence(split(GptSplitter.LLAMA3), byteLevelNoRegex);
      case "smaug-bpe", "dbrx" -> sequence(split(LLAMA3_CASED), byteLevelNoRegex);
      case "tekken" -> sequence(split(TEKKEN), byteLevelNoRegex);
      case "deepseek-llm" -> sequence(split("[\r\n]"), split(DEEPSEEK_LETTERS), split(DEEPSEEK_PUNCTUATION),
          split("\\s+$"), split(CJK), split("\\p{N}+"), byteLevelNoRegex);
      case "deepseek-coder" -> sequence(split("[\r\n]"), split("\\s?\\p{L}+"), split("\\s?\\p{P}+"), split(CJK),
          split("\\p{N}"), byteLevelNoRegex);
      case "deepseek-v3" -> sequence(split("\\p{N}{1,3}"), split("[一-龥぀-ゟ゠-ヿ]+"), split(DEEPSEEK3),
          byteLevelNoRegex);
      case "qwen2", "deepseek-r1-qwen" -> sequence(split(GptSplitter.QWEN2), byteLevelNoRegex);
      case "gpt-2", "gpt2" -> byteLevelRegex;
      case "falcon" -> sequence("{\"type\":\"Punctuation\",\"behavior\":\"Contiguous\"}", byteLevelRegex,
          "{\"type\":\"Digits\",\"individual_digits\":false}",
          "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"[0-9][0-9][0-9]\"},\"behavior\":\"Isolated\",\"invert\":false}");
      case "starcoder" -> sequence("{\"type\":\"Digits\",\"individual_digits\":true}", byteLevelRegex);
      case "default" -> sequence(split("[\\p{P}\\$\\+<=>\\^~\\|]+"), split(GPT2_NO_TRAILING), split("\\p{N}+"),
          split("[0-9][0-9][0-9]"), byteLevelNoRegex);
      default -> throw new TokenizerException(file + ": tokenizer.ggml.pre '" + pre + "' is not supported (supported: "
          + PRE_TYPES + ")");
    };
  }

  private static Tokenizer assemble(GgufMetadata m, Path file, List<String> tokens, int[] types, Normalizer normalizer,
      PreTokenizer preTokenizer, BpeModel bpe, Decoder decoder, boolean addBosDefault) {
    List<AddedToken> added = new ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      if (types[i] == CONTROL || types[i] == USER_DEFINED || types[i] == UNKNOWN) {
        boolean special = types[i] != USER_DEFINED;
        added.add(new AddedToken(i, tokens.get(i), special, false, false, false, !special));
      }
    }
    int bos = m.optTokenId("tokenizer.ggml.bos_token_id").orElse(-1);
    int eos = m.optTokenId("tokenizer.ggml.eos_token_id").orElse(-1);
    boolean addBos = m.optBool("tokenizer.ggml.add_bos_token").orElse(addBosDefault) && bos >= 0;
    boolean addEos = m.optBool("tokenizer.ggml.add_eos_token").orElse(false) && eos >= 0;
    PostProcessor post = ids -> {
      int[] out = new int[ids.length + (addBos ? 1 : 0) + (addEos ? 1 : 0)];
      if (addBos) {
        out[0] = bos;
      }
      System.arraycopy(ids, 0, out, addBos ? 1 : 0, ids.length);
      if (addEos) {
        out[out.length - 1] = eos;
      }
      return out;
    };
    TokenizerConfig config = config(m, tokens, file, addBos);
    return new HfTokenizer(normalizer, preTokenizer, bpe, new AddedVocabulary(added, normalizer), post, decoder, config);
  }

  /** The special tokens and chat template of a GGUF file, as tokenizer_config.json would give them. */
  static TokenizerConfig config(GgufMetadata m, Path file) {
    List<String> tokens = m.strings("tokenizer.ggml.tokens");
    return config(m, tokens, file, m.optBool("tokenizer.ggml.add_bos_token").orElse(null));
  }

  private static TokenizerConfig config(GgufMetadata m, List<String> tokens, Path file, Boolean addBos) {
    Map<String, String> templates = new LinkedHashMap<>();
    m.optString("tokenizer.chat_template").ifPresent(t -> templates.put("default", t));
    return new TokenizerConfig(token(tokens, m.optTokenId("tokenizer.ggml.bos_token_id").orElse(-1), file),
        token(tokens, m.optTokenId("tokenizer.ggml.eos_token_id").orElse(-1), file),
        token(tokens, m.optTokenId("tokenizer.ggml.unknown_token_id").orElse(-1), file),
        token(tokens, m.optTokenId("tokenizer.ggml.padding_token_id").orElse(-1), file), List.of(), false, addBos,
        templates);
  }

  private static String token(List<String> tokens, int id, Path file) {
    if (id < 0) {
      return null;
    }
    if (id >= tokens.size()) {
      throw new TokenizerException(file + ": special token id " + id + " is outside the vocabulary of " + tokens.size());
    }
    return tokens.get(id);
  }

  private static String split(String regex) {
    return "{\"type\":\"Split\",\"pattern\":{\"Regex\":" + quote(regex) + "},\"behavior\":\"Isolated\",\"invert\":false}";
  }

  private static String sequence(String... steps) {
    return "{\"type\":\"Sequence\",\"pretokenizers\":[" + String.join(",", steps) + "]}";
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("built-in tokenizer JSON: " + text, e);
    }
  }
}
