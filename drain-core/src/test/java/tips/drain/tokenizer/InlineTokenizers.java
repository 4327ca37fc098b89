package tips.drain.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds small tokenizer.json files for unit tests. */
final class InlineTokenizers {
  private InlineTokenizers() {}

  /** Writes {@code tokenizerJson} (and optionally a tokenizer_config.json) to {@code dir} and loads it. */
  static Tokenizer load(Path dir, String tokenizerJson, String configJson) {
    try {
      Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson);
      if (configJson != null) {
        Files.writeString(dir.resolve("tokenizer_config.json"), configJson);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Tokenizer.load(dir);
  }

  /** A tokenizer.json with the given parts (JSON text, or "null"). */
  static String json(String addedTokens, String normalizer, String preTokenizer, String postProcessor,
      String decoder, String model) {
    return """
        {"version": "1.0", "truncation": null, "padding": null,
         "added_tokens": %s, "normalizer": %s, "pre_tokenizer": %s, "post_processor": %s, "decoder": %s,
         "model": %s}
        """.formatted(addedTokens, normalizer, preTokenizer, postProcessor, decoder, model);
  }

  /** A BPE model over {@code tokens} (ids in order) with merges written as {@code "a b"} strings. */
  static String bpe(List<String> tokens, List<String> merges, String extra) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String t : tokens) {
      vocab.putIfAbsent(t, vocab.size());
    }
    StringBuilder sb = new StringBuilder("{\"type\": \"BPE\", \"vocab\": {");
    int i = 0;
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      sb.append(i++ > 0 ? ", " : "").append(quote(e.getKey())).append(": ").append(e.getValue());
    }
    sb.append("}, \"merges\": [");
    for (int k = 0; k < merges.size(); k++) {
      sb.append(k > 0 ? ", " : "").append(quote(merges.get(k)));
    }
    sb.append("]");
    if (extra != null && !extra.isEmpty()) {
      sb.append(", ").append(extra);
    }
    return sb.append("}").toString();
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  static String added(int id, String content, boolean special, String flags) {
    return "{\"id\": %d, \"content\": %s, \"special\": %s%s}".formatted(id, quote(content), special,
        flags == null || flags.isEmpty() ? "" : ", " + flags);
  }
}
