package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What DRAIN reads from a model's {@code tokenizer_config.json}: the special tokens, whether Python's
 * {@code decode} cleans up spaces, and the chat templates.
 *
 * @param bosToken the BOS token text, or null
 * @param eosToken the EOS token text (for chat models usually the end-of-turn marker), or null
 * @param unkToken the unknown token text, or null
 * @param padToken the padding token text, or null
 * @param additionalSpecialTokens {@code additional_special_tokens}, possibly empty
 * @param cleanUpTokenizationSpaces {@code clean_up_tokenization_spaces} (false when absent)
 * @param addBosToken {@code add_bos_token}, or null when absent
 * @param chatTemplates the chat templates by name ({@code "default"} for the plain {@code chat_template} string)
 */
public record TokenizerConfig(String bosToken, String eosToken, String unkToken, String padToken,
    List<String> additionalSpecialTokens, boolean cleanUpTokenizationSpaces, Boolean addBosToken,
    Map<String, String> chatTemplates) {

  /** The config of a directory without tokenizer_config.json. */
  public static final TokenizerConfig EMPTY =
      new TokenizerConfig(null, null, null, null, List.of(), false, null, Map.of());

  public TokenizerConfig {
    additionalSpecialTokens = List.copyOf(additionalSpecialTokens);
    chatTemplates = Collections.unmodifiableMap(new LinkedHashMap<>(chatTemplates));
  }

  /**
   * Reads {@code tokenizer_config.json} in {@code dir}; {@link #EMPTY} if there is none. Given a GGUF file, the
   * same from its metadata ({@code tokenizer.ggml.*_token_id}, {@code tokenizer.chat_template}).
   */
  public static TokenizerConfig load(Path dir) {
    if (Files.isRegularFile(dir) && tips.drain.io.GgufShards.isGguf(dir)) {
      try (tips.drain.io.GgufFile f = tips.drain.io.GgufFile.open(dir)) {
        return f.metadata().has("tokenizer.ggml.tokens") ? GgufTokenizer.config(f.metadata(), dir) : EMPTY;
      }
    }
    Path file = dir.resolve("tokenizer_config.json");
    if (!Files.exists(file)) {
      return EMPTY;
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new TokenizerException(file + ": expected a JSON object");
    }
    JsonPath where = new JsonPath(file.toString(), "");
    List<String> additional = new ArrayList<>();
    JsonNode extra = root.get("additional_special_tokens");
    if (extra != null && extra.isArray()) {
      for (int i = 0; i < extra.size(); i++) {
        additional.add(tokenText(extra.get(i), where.child("additional_special_tokens").index(i)));
      }
    }
    Boolean addBos = root.has("add_bos_token") && root.get("add_bos_token").isBoolean()
        ? root.get("add_bos_token").asBoolean() : null;
    return new TokenizerConfig(
        tokenText(root.get("bos_token"), where.child("bos_token")),
        tokenText(root.get("eos_token"), where.child("eos_token")),
        tokenText(root.get("unk_token"), where.child("unk_token")),
        tokenText(root.get("pad_token"), where.child("pad_token")),
        additional,
        where.bool(root, "clean_up_tokenization_spaces", false),
        addBos,
        chatTemplates(root.get("chat_template"), where.child("chat_template")));
  }

  /**
   * The special-token variables transformers passes to a chat template ({@code special_tokens_map}):
   * bos/eos/unk/pad tokens that are set, and {@code additional_special_tokens} when not empty.
   */
  public Map<String, Object> specialTokensMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    if (bosToken != null) {
      map.put("bos_token", bosToken);
    }
    if (eosToken != null) {
      map.put("eos_token", eosToken);
    }
    if (unkToken != null) {
      map.put("unk_token", unkToken);
    }
    if (padToken != null) {
      map.put("pad_token", padToken);
    }
    if (!additionalSpecialTokens.isEmpty()) {
      map.put("additional_special_tokens", additionalSpecialTokens);
    }
    return map;
  }

  /** A token given as a string or as {@code {"content": ...}} (AddedToken form); null stays null. */
  private static String tokenText(JsonNode node, JsonPath where) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isObject() && node.has("content")) {
      return where.string(node, "content");
    }
    throw where.error("expected a token string or {\"content\": ...}, got " + JsonPath.describe(node));
  }

  private static Map<String, String> chatTemplates(JsonNode node, JsonPath where) {
    Map<String, String> map = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return map;
    }
    if (node.isTextual()) {
      map.put("default", node.asText());
      return map;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        JsonNode entry = node.get(i);
        map.put(where.index(i).string(entry, "name"), where.index(i).string(entry, "template"));
      }
      return map;
    }
    throw where.error("expected a string or a list of {name, template}, got " + JsonPath.describe(node));
  }
}
