package tips.drain.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tips.drain.api.TokenLogprobs;
import tips.drain.tokenizer.Tokenizer;

/**
 * Log probabilities in the two shapes OpenAI uses: chat's {@code content} list and completions' parallel lists.
 * Tokens are given in generation order; each one's text is what it adds after the token before it (so that
 * word-start markers become spaces, as in the generated text).
 */
final class LogprobsJson {
  private final Tokenizer tokenizer;
  /** The token before the next one given: the prompt's last, then each generated one. */
  private int previous;

  LogprobsJson(Tokenizer tokenizer, int lastPromptToken) {
    this.tokenizer = tokenizer;
    this.previous = lastPromptToken;
  }

  /** The text {@code id} adds after {@link #previous}. */
  String token(int id) {
    String before = tokenizer.decode(new int[] {previous}, false);
    String both = tokenizer.decode(new int[] {previous, id}, false);
    return both.startsWith(before) ? both.substring(before.length()) : tokenizer.decode(new int[] {id}, false);
  }

  /** Chat: {@code {"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}]}}. */
  ObjectNode chat(List<TokenLogprobs> list) {
    ObjectNode root = Json.object();
    ArrayNode content = root.putArray("content");
    for (TokenLogprobs lp : list) {
      ObjectNode item = entry(lp.id(), lp.logprob());
      ArrayNode top = item.putArray("top_logprobs");
      int[] ids = lp.topIds();
      float[] lps = lp.topLogprobs();
      for (int i = 0; i < ids.length; i++) {
        top.add(entry(ids[i], lps[i]));
      }
      content.add(item);
      previous = lp.id();
    }
    root.putNull("refusal");
    return root;
  }

  private ObjectNode entry(int id, float logprob) {
    String text = token(id);
    ObjectNode o = Json.object();
    o.put("token", text);
    o.put("logprob", logprob);
    ArrayNode bytes = o.putArray("bytes");
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      bytes.add(b & 0xFF);
    }
    return o;
  }

  /**
   * Completions: {@code {"tokens", "token_logprobs", "top_logprobs": [{token: logprob}], "text_offset"}};
   * offsets count characters from {@code offset}.
   */
  ObjectNode text(List<TokenLogprobs> list, int offset) {
    ObjectNode root = Json.object();
    ArrayNode tokens = root.putArray("tokens");
    ArrayNode logprobs = root.putArray("token_logprobs");
    ArrayNode tops = root.putArray("top_logprobs");
    ArrayNode offsets = root.putArray("text_offset");
    int at = offset;
    for (TokenLogprobs lp : list) {
      String text = token(lp.id());
      tokens.add(text);
      logprobs.add(lp.logprob());
      ObjectNode top = tops.addObject();
      int[] ids = lp.topIds();
      float[] lps = lp.topLogprobs();
      for (int i = 0; i < ids.length; i++) {
        top.put(token(ids[i]), lps[i]);
      }
      offsets.add(at);
      at += text.length();
      previous = lp.id();
    }
    return root;
  }
}
