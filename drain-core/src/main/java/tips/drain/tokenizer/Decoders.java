package tips.drain.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoders of tokenizer.json that DRAIN supports: ByteLevel, ByteFallback, Fuse, Strip, Replace,
 * Metaspace, WordPiece and Sequence. Any other type is refused when the file is loaded.
 */
final class Decoders {
  private Decoders() {}

  /** Builds the decoder described by {@code node}; null when the node is JSON null. */
  static Decoder fromJson(JsonNode node, JsonPath where) {
    if (node == null || node.isNull()) {
      return null;
    }
    String type = where.type(node);
    return switch (type) {
      case "ByteLevel" -> Decoders::byteLevel;
      case "ByteFallback" -> Decoders::byteFallback;
      case "Fuse" -> tokens -> List.of(String.join("", tokens));
      case "Strip" -> strip(where.string(node, "content"), where.integer(node, "start", 0), where.integer(node, "stop", 0),
          where.child("content"));
      case "Replace" -> replace(node, where);
      case "Metaspace" -> metaspace(node, where);
      case "WordPiece" -> wordPiece(where.optString(node, "prefix", "##"), where.bool(node, "cleanup", true));
      case "Sequence" -> sequence(node, where);
      default -> throw where.unsupported("decoder", type);
    };
  }

  /** Maps byte-level characters back to bytes and decodes them as UTF-8 (invalid sequences become U+FFFD). */
  static List<String> byteLevel(List<String> tokens) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (String t : tokens) {
      ByteLevel.appendBytes(t, bytes);
    }
    return List.of(Utf8.decodeLossy(bytes.toByteArray(), bytes.size()));
  }

  /**
   * Replaces runs of {@code <0xXX>} tokens by the text their bytes spell; a run that is not valid UTF-8 becomes
   * one U+FFFD per byte.
   */
  static List<String> byteFallback(List<String> tokens) {
    List<String> out = new ArrayList<>(tokens.size());
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    for (String t : tokens) {
      int b = byteToken(t);
      if (b >= 0) {
        pending.write(b);
        continue;
      }
      flushBytes(pending, out);
      out.add(t);
    }
    flushBytes(pending, out);
    return out;
  }

  private static void flushBytes(ByteArrayOutputStream pending, List<String> out) {
    if (pending.size() == 0) {
      return;
    }
    try {
      out.add(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(pending.toByteArray()))
          .toString());
    } catch (CharacterCodingException e) {
      for (int i = 0; i < pending.size(); i++) {
        out.add(String.valueOf(Utf8.REPLACEMENT));
      }
    }
    pending.reset();
  }

  /** The byte of a {@code <0xXX>} token, or -1. */
  static int byteToken(String t) {
    if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') {
      return -1;
    }
    int hi = Character.digit(t.charAt(3), 16);
    int lo = Character.digit(t.charAt(4), 16);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }

  static Decoder strip(String content, int start, int stop, JsonPath where) {
    if (content.codePointCount(0, content.length()) != 1) {
      throw where.error("expected one character, got '" + content + "'");
    }
    int c = content.codePointAt(0);
    return tokens -> {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) {
        int[] cps = t.codePoints().toArray();
        int from = 0;
        for (int i = 0; i < Math.min(start, cps.length) && cps[i] == c; i++) {
          from = i + 1;
        }
        int to = cps.length;
        for (int i = 0; i < stop && cps.length - i - 1 >= 0 && cps[cps.length - i - 1] == c; i++) {
          to = cps.length - i - 1;
        }
        out.add(to > from ? new String(cps, from, to - from) : "");
      }
      return out;
    };
  }

  static Decoder replace(JsonNode node, JsonPath where) {
    SplitPattern pattern = SplitPattern.fromJson(node.get("pattern"), where.child("pattern"));
    String content = where.string(node, "content");
    return tokens -> {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) {
        out.add(pattern.replaceAll(t, content));
      }
      return out;
    };
  }

  /** Replacement characters become spaces; in the first token they are dropped unless the scheme is "never". */
  static Decoder metaspace(JsonNode node, JsonPath where) {
    String replacement = where.string(node, "replacement");
    String scheme = where.optString(node, "prepend_scheme", "always");
    if (!where.bool(node, "add_prefix_space", true)) {
      scheme = "never";
    }
    boolean dropFirst = !scheme.equals("never");
    return tokens -> {
      List<String> out = new ArrayList<>(tokens.size());
      for (int i = 0; i < tokens.size(); i++) {
        out.add(tokens.get(i).replace(replacement, i == 0 && dropFirst ? "" : " "));
      }
      return out;
    };
  }

  /**
   * WordPiece: every token after the first loses its continuing-subword prefix, or gets a space before it; with
   * {@code cleanup}, the spaces before punctuation and contractions are removed (and " do not" becomes " don't").
   */
  static Decoder wordPiece(String prefix, boolean cleanup) {
    return tokens -> {
      List<String> out = new ArrayList<>(tokens.size());
      for (int i = 0; i < tokens.size(); i++) {
        String t = tokens.get(i);
        if (i > 0) {
          t = t.startsWith(prefix) ? t.substring(prefix.length()) : " " + t;
        }
        if (cleanup) {
          t = Tokenizer.cleanUpTokenizationSpaces(t).replace(" do not", " don't");
        }
        out.add(t);
      }
      return out;
    };
  }

  static Decoder sequence(JsonNode node, JsonPath where) {
    JsonNode items = where.array(node, "decoders");
    List<Decoder> steps = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Decoder d = fromJson(items.get(i), where.child("decoders").index(i));
      if (d != null) {
        steps.add(d);
      }
    }
    return tokens -> {
      for (Decoder d : steps) {
        tokens = d.decodeChain(tokens);
      }
      return tokens;
    };
  }
}
