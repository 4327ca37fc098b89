package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reads a Hugging Face {@code tokenizer.json} into an {@link HfTokenizer}, refusing what DRAIN cannot run. */
final class TokenizerJson {
  private TokenizerJson() {}

  static HfTokenizer load(Path dir) {
    Path file = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      throw new TokenizerException(file + ": not found (DRAIN reads Hugging Face tokenizer.json files)");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new TokenizerException(file + ": cannot parse: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new TokenizerException(file + ": expected a JSON object");
    }
    JsonPath where = new JsonPath(file.toString(), "");
    Normalizer normalizer = Normalizers.fromJson(root.get("normalizer"), where.child("normalizer"));
    PreTokenizer preTokenizer = PreTokenizers.fromJson(root.get("pre_tokenizer"), where.child("pre_tokenizer"));
    PostProcessor postProcessor = PostProcessor.fromJson(root.get("post_processor"), where.child("post_processor"));
    Decoder decoder = Decoders.fromJson(root.get("decoder"), where.child("decoder"));
    BpeModel model = bpe(root.get("model"), where.child("model"));
    List<AddedToken> added = addedTokens(root.get("added_tokens"), where.child("added_tokens"));
    TokenizerConfig config = TokenizerConfig.load(dir);
    return new HfTokenizer(normalizer, preTokenizer, model, new AddedVocabulary(added, normalizer), postProcessor,
        decoder, config);
  }

  static BpeModel bpe(JsonNode node, JsonPath where) {
    if (node == null || !node.isObject()) {
      throw where.error("expected the model object, got " + JsonPath.describe(node));
    }
    String type = where.optString(node, "type", node.has("merges") ? "BPE" : "(missing)");
    if (!type.equals("BPE")) {
      throw where.unsupported("model", type);
    }
    JsonNode dropout = node.get("dropout");
    if (dropout != null && !dropout.isNull() && dropout.asDouble() > 0) {
      throw where.child("dropout").error("BPE dropout " + dropout.asDouble() + " is random; DRAIN supports none");
    }
    JsonNode vocabNode = node.get("vocab");
    if (vocabNode == null || !vocabNode.isObject()) {
      throw where.child("vocab").error("expected an object of token to id, got " + JsonPath.describe(vocabNode));
    }
    Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
    for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
        throw where.child("vocab").child(e.getKey()).error("expected a non-negative id, got " + e.getValue());
      }
      vocab.put(e.getKey(), e.getValue().asInt());
    }
    String prefix = where.optString(node, "continuing_subword_prefix", "");
    String suffix = where.optString(node, "end_of_word_suffix", "");
    MergeTable merges = merges(where.array(node, "merges"), vocab, prefix, where.child("merges"));
    String unk = where.optString(node, "unk_token", null);
    int unkId = -1;
    if (unk != null) {
      Integer id = vocab.get(unk);
      if (id == null) {
        throw where.child("unk_token").error("unk token '" + unk + "' is not in the vocab");
      }
      unkId = id;
    }
    return new BpeModel(vocab, merges, unkId, where.bool(node, "fuse_unk", false),
        where.bool(node, "byte_fallback", false), where.bool(node, "ignore_merges", false), prefix, suffix);
  }

  /** Merges as {@code "a b"} strings (legacy) or {@code ["a", "b"]} pairs; rank = position in the list. */
  static MergeTable merges(JsonNode list, Map<String, Integer> vocab, String prefix, JsonPath where) {
    MergeTable table = new MergeTable(list.size());
    int rank = 0;
    for (int i = 0; i < list.size(); i++) {
      JsonNode m = list.get(i);
      String a;
      String b;
      if (m.isTextual()) {
        String line = m.asText();
        if (line.startsWith("#version")) {
          continue;
        }
        int space = line.indexOf(' ');
        if (space < 0 || line.indexOf(' ', space + 1) >= 0) {
          throw where.index(i).error("expected \"left right\" with exactly one space, got \"" + line + "\"");
        }
        a = line.substring(0, space);
        b = line.substring(space + 1);
      } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
        a = m.get(0).asText();
        b = m.get(1).asText();
      } else {
        throw where.index(i).error("expected \"left right\" or [left, right], got " + JsonPath.describe(m));
      }
      Integer left = vocab.get(a);
      Integer right = vocab.get(b);
      if (left == null || right == null) {
        throw where.index(i).error("merge token '" + (left == null ? a : b) + "' is not in the vocab");
      }
      String mergedText = a + (b.startsWith(prefix) ? b.substring(prefix.length()) : b);
      Integer merged = vocab.get(mergedText);
      if (merged == null) {
        throw where.index(i).error("merged token '" + mergedText + "' is not in the vocab");
      }
      table.put(left, right, rank++, merged);
    }
    return table;
  }

  static List<AddedToken> addedTokens(JsonNode node, JsonPath where) {
    List<AddedToken> tokens = new ArrayList<>();
    if (node == null || node.isNull()) {
      return tokens;
    }
    if (!node.isArray()) {
      throw where.error("expected an array, got " + JsonPath.describe(node));
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode t = node.get(i);
      JsonPath at = where.index(i);
      int id = at.integer(t, "id", -1);
      if (id < 0) {
        throw at.child("id").error("expected a non-negative id, got " + JsonPath.describe(t.get("id")));
      }
      boolean special = at.bool(t, "special", false);
      tokens.add(new AddedToken(id, at.string(t, "content"), special, at.bool(t, "single_word", false),
          at.bool(t, "lstrip", false), at.bool(t, "rstrip", false), at.bool(t, "normalized", !special)));
    }
    return tokens;
  }
}
