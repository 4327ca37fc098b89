package tips.drain.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import tips.drain.io.JsonErrors;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a Hugging Face {@code tokenizer.json} into an {@link HfTokenizer}, refusing what DRAIN cannot run. */
final class TokenizerJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TokenizerJson() {}

  static HfTokenizer load(Path dir) {
    Path file = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      throw new TokenizerException(file + ": not found (DRAIN reads Hugging Face tokenizer.json files)");
    }
    JsonPath where = new JsonPath(file.toString(), "");
    ObjectNode root;
    RawModel raw;
    try (JsonParser parser = MAPPER.getFactory().createParser(file.toFile())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw where.error("expected a JSON object");
      }
      root = MAPPER.createObjectNode();
      raw = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        if (name.equals("model") && parser.currentToken() == JsonToken.START_OBJECT) {
          raw = readModel(parser, where.child("model"));
        } else {
          root.set(name, parser.readValueAsTree());
        }
      }
    } catch (JsonProcessingException e) {
      throw new TokenizerException(file + ": " + JsonErrors.syntax(e), e);
    } catch (IOException e) {
      throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (raw == null) {
      throw where.child("model").error("expected the model object, got " + JsonPath.describe(root.get("model")));
    }
    Normalizer normalizer = Normalizers.fromJson(root.get("normalizer"), where.child("normalizer"));
    PreTokenizer preTokenizer = PreTokenizers.fromJson(root.get("pre_tokenizer"), where.child("pre_tokenizer"));
    PostProcessor postProcessor = PostProcessor.fromJson(root.get("post_processor"), where.child("post_processor"));
    Decoder decoder = Decoders.fromJson(root.get("decoder"), where.child("decoder"));
    TokenModel model = model(raw, where.child("model"));
    List<AddedToken> added = addedTokens(root.get("added_tokens"), where.child("added_tokens"));
    TokenizerConfig config = TokenizerConfig.load(dir);
    Truncation truncation = Truncation.fromJson(root.get("truncation"), where.child("truncation"));
    Padding padding = Padding.fromJson(root.get("padding"), where.child("padding"));
    return new HfTokenizer(normalizer, preTokenizer, model, new AddedVocabulary(added, normalizer), postProcessor,
        decoder, config, truncation, padding);
  }

  /** The model object, with its two big fields (vocab, merges) read without building a JSON tree. */
  record RawModel(ObjectNode fields, Map<String, Integer> vocab, List<String> mergeLeft, List<String> mergeRight) {}

  private static RawModel readModel(JsonParser p, JsonPath where) throws IOException {
    ObjectNode fields = MAPPER.createObjectNode();
    Map<String, Integer> vocab = null;
    List<String> left = null;
    List<String> right = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (name.equals("vocab") && value == JsonToken.START_OBJECT) {
        vocab = new HashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String token = p.currentName();
          if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getIntValue() < 0) {
            throw where.child("vocab").child(token).error("expected a non-negative id, got " + p.getText());
          }
          vocab.put(token, p.getIntValue());
        }
      } else if (name.equals("merges") && value == JsonToken.START_ARRAY) {
        left = new ArrayList<>();
        right = new ArrayList<>();
        int i = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), i++) {
          JsonPath at = where.child("merges").index(i);
          if (t == JsonToken.VALUE_STRING) {
            String line = p.getText();
            if (line.startsWith("#version")) {
              continue;
            }
            int space = line.indexOf(' ');
            if (space < 0 || line.indexOf(' ', space + 1) >= 0) {
              throw at.error("expected \"left right\" with exactly one space, got \"" + line + "\"");
            }
            left.add(line.substring(0, space));
            right.add(line.substring(space + 1));
          } else if (t == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING) {
            left.add(p.getText());
            if (p.nextToken() != JsonToken.VALUE_STRING) {
              throw at.error("expected [left, right] of two strings");
            }
            right.add(p.getText());
            if (p.nextToken() != JsonToken.END_ARRAY) {
              throw at.error("expected [left, right] of two strings");
            }
          } else {
            throw at.error("expected \"left right\" or [left, right], got " + p.getText());
          }
        }
      } else {
        fields.set(name, p.readValueAsTree());
      }
    }
    return new RawModel(fields, vocab, left, right);
  }

  static TokenModel model(RawModel raw, JsonPath where) {
    String type = where.optString(raw.fields(), "type", "BPE");
    return switch (type) {
      case "BPE" -> bpe(raw, where);
      case "WordPiece" -> wordPiece(raw, where);
      default -> throw where.unsupported("model", type);
    };
  }

  static WordPieceModel wordPiece(RawModel raw, JsonPath where) {
    JsonNode node = raw.fields();
    Map<String, Integer> vocab = raw.vocab();
    if (vocab == null) {
      throw where.child("vocab").error("expected an object of token to id");
    }
    String unk = where.optString(node, "unk_token", "[UNK]");
    Integer unkId = vocab.get(unk);
    if (unkId == null) {
      throw where.child("unk_token").error("unk token '" + unk + "' is not in the vocab");
    }
    int maxChars = where.integer(node, "max_input_chars_per_word", 100);
    if (maxChars < 1) {
      throw where.child("max_input_chars_per_word").error("expected a positive number, got " + maxChars);
    }
    return new WordPieceModel(vocab, unkId, where.optString(node, "continuing_subword_prefix", "##"), maxChars);
  }

  static BpeModel bpe(RawModel raw, JsonPath where) {
    JsonNode node = raw.fields();
    JsonNode dropout = node.get("dropout");
    if (dropout != null && !dropout.isNull() && dropout.asDouble() > 0) {
      throw where.child("dropout").error("BPE dropout " + dropout.asDouble() + " is random; DRAIN supports none");
    }
    Map<String, Integer> vocab = raw.vocab();
    if (vocab == null) {
      throw where.child("vocab").error("expected an object of token to id");
    }
    if (raw.mergeLeft() == null) {
      throw where.child("merges").error("expected an array of merges");
    }
    String prefix = where.optString(node, "continuing_subword_prefix", "");
    String suffix = where.optString(node, "end_of_word_suffix", "");
    MergeTable merges = merges(raw.mergeLeft(), raw.mergeRight(), vocab, prefix, where.child("merges"));
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

  /** Builds the merge table; rank = position in the list (after "#version" lines). */
  static MergeTable merges(List<String> lefts, List<String> rights, Map<String, Integer> vocab, String prefix,
      JsonPath where) {
    MergeTable table = new MergeTable(lefts.size());
    for (int rank = 0; rank < lefts.size(); rank++) {
      String a = lefts.get(rank);
      String b = rights.get(rank);
      Integer left = vocab.get(a);
      Integer right = vocab.get(b);
      if (left == null || right == null) {
        throw where.index(rank).error("merge token '" + (left == null ? a : b) + "' is not in the vocab");
      }
      String mergedText = a + (b.startsWith(prefix) ? b.substring(prefix.length()) : b);
      Integer merged = vocab.get(mergedText);
      if (merged == null) {
        throw where.index(rank).error("merged token '" + mergedText + "' is not in the vocab");
      }
      table.put(left, right, rank, merged);
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
