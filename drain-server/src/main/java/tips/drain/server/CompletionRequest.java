package tips.drain.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import tips.drain.sampling.SamplingParams;
import tips.drain.template.ChatMessage;

/**
 * A chat or text completion request, checked field by field.
 *
 * @param model the model (or adapter) name asked for, or null for the server's model
 * @param prompt what to continue
 * @param stream whether to answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the token counts
 * @param maxTokens most tokens to generate, or null for as many as the context holds
 * @param sampling the model's defaults with the request's fields applied
 * @param stop stop strings
 * @param logprobs -1 for none, else how many most likely tokens to report with each token's log probability
 * @param ignoreEos llama.cpp's {@code ignore_eos}: generate past end-of-sequence and end-of-turn tokens (benchmarks)
 */
record CompletionRequest(String model, Prompt prompt, boolean stream, boolean includeUsage, Integer maxTokens,
    SamplingParams sampling, List<String> stop, int logprobs, boolean ignoreEos) {

  private static final int MAX_STOP_STRINGS = 16;
  private static final int MAX_TOP_LOGPROBS = 20;

  /** A {@code /v1/chat/completions} body. */
  static CompletionRequest chat(ObjectNode body, SamplingParams defaults) {
    Fields f = new Fields(body);
    Prompt prompt = new Prompt.Messages(messages(f));
    Long maxTokens = f.integer("max_completion_tokens", 0, Integer.MAX_VALUE);
    if (maxTokens == null) {
      maxTokens = f.integer("max_tokens", 0, Integer.MAX_VALUE);
    }
    int logprobs = -1;
    Long top = f.integer("top_logprobs", 0, MAX_TOP_LOGPROBS);
    if (Boolean.TRUE.equals(f.bool("logprobs"))) {
      logprobs = top == null ? 0 : top.intValue();
    } else if (top != null) {
      throw ApiException.badRequest("top_logprobs", "'top_logprobs' needs 'logprobs': true");
    }
    return common(f, prompt, maxTokens, logprobs, defaults);
  }

  /** A {@code /v1/completions} body. */
  static CompletionRequest text(ObjectNode body, SamplingParams defaults) {
    Fields f = new Fields(body);
    Prompt prompt = textPrompt(f);
    Long maxTokens = f.integer("max_tokens", 0, Integer.MAX_VALUE);
    Long logprobs = f.integer("logprobs", 0, MAX_TOP_LOGPROBS);
    return common(f, prompt, maxTokens, logprobs == null ? -1 : logprobs.intValue(), defaults);
  }

  private static CompletionRequest common(Fields f, Prompt prompt, Long maxTokens, int logprobs,
      SamplingParams defaults) {
    String model = f.string("model");
    f.string("user"); // accepted for OpenAI compatibility; not used
    Long n = f.integer("n", 1, Integer.MAX_VALUE);
    if (n != null && n != 1) {
      throw ApiException.badRequest("n", "'n' must be 1: this server generates one choice per request (send "
          + n + " requests instead)");
    }
    boolean stream = Boolean.TRUE.equals(f.bool("stream"));
    Fields streamOptions = f.object("stream_options");
    boolean includeUsage = streamOptions != null && Boolean.TRUE.equals(streamOptions.bool("include_usage"));
    SamplingParams s = defaults;
    Float temperature = f.number("temperature", 0, 100);
    if (temperature != null) {
      s = s.withTemperature(temperature);
    }
    Float topP = f.numberAbove("top_p", 0, 1);
    if (topP != null) {
      s = s.withTopP(topP);
    }
    Long topK = f.integer("top_k", 0, Integer.MAX_VALUE);
    if (topK != null) {
      s = s.withTopK(topK.intValue());
    }
    Float minP = f.number("min_p", 0, 1);
    if (minP != null) {
      s = s.withMinP(minP);
    }
    Float repetition = f.numberAbove("repetition_penalty", 0, 100);
    if (repetition != null) {
      s = s.withRepetitionPenalty(repetition);
    }
    Float presence = f.number("presence_penalty", -2, 2);
    if (presence != null) {
      s = s.withPresencePenalty(presence);
    }
    Float frequency = f.number("frequency_penalty", -2, 2);
    if (frequency != null) {
      s = s.withFrequencyPenalty(frequency);
    }
    Long seed = f.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE);
    s = s.withSeed(seed != null ? seed : ThreadLocalRandom.current().nextLong());
    List<String> stop = f.stringOrList("stop", MAX_STOP_STRINGS);
    boolean ignoreEos = Boolean.TRUE.equals(f.bool("ignore_eos"));
    return new CompletionRequest(model, prompt, stream, includeUsage,
        maxTokens == null ? null : maxTokens.intValue(), s, stop, logprobs, ignoreEos);
  }

  private static List<ChatMessage> messages(Fields f) {
    JsonNode list = f.raw("messages");
    if (list == null) {
      throw ApiException.badRequest("messages", "'messages' is required");
    }
    if (!list.isArray()) {
      throw ApiException.badRequest("messages", "'messages' must be an array, got " + Fields.kind(list));
    }
    if (list.isEmpty()) {
      throw ApiException.badRequest("messages", "'messages' must contain at least one message");
    }
    List<ChatMessage> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      String at = "messages[" + i + "]";
      JsonNode m = list.get(i);
      if (!m.isObject()) {
        throw ApiException.badRequest(at, "'" + at + "' must be an object, got " + Fields.kind(m));
      }
      Fields mf = new Fields((ObjectNode) m);
      String role = mf.has("role") ? role(mf, at) : null;
      if (role == null) {
        throw ApiException.badRequest(at + ".role", "'" + at + ".role' is required");
      }
      out.add(new ChatMessage(role, content(mf.raw("content"), at + ".content", role)));
    }
    return out;
  }

  private static String role(Fields mf, String at) {
    String role;
    try {
      role = mf.string("role");
    } catch (ApiException e) {
      throw ApiException.badRequest(at + ".role", "'" + at + ".role' must be a string");
    }
    return switch (role.toLowerCase(Locale.ROOT)) {
      case "system", "developer" -> "system";
      case "user" -> "user";
      case "assistant" -> "assistant";
      case "tool" -> "tool";
      default -> throw ApiException.badRequest(at + ".role", "'" + at + ".role' must be system, developer, user, "
          + "assistant or tool, got '" + role + "'");
    };
  }

  /** A message's text: a string, or an array of {@code {"type": "text", "text": ...}} parts, joined. */
  private static String content(JsonNode c, String at, String role) {
    if (c == null || c.isNull()) {
      if (role.equals("assistant")) {
        return "";
      }
      throw ApiException.badRequest(at, "'" + at + "' is required");
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (!c.isArray()) {
      throw ApiException.badRequest(at, "'" + at + "' must be a string or an array of text parts, got " + Fields.kind(c));
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < c.size(); i++) {
      JsonNode part = c.get(i);
      String where = at + "[" + i + "]";
      if (!part.isObject() || !part.path("type").isTextual()) {
        throw ApiException.badRequest(where, "'" + where + "' must be an object with a 'type'");
      }
      String type = part.get("type").asText();
      if (!type.equals("text")) {
        throw ApiException.badRequest(where + ".type", "'" + where + ".type' " + type + " is not supported: this model "
            + "reads text only");
      }
      if (!part.path("text").isTextual()) {
        throw ApiException.badRequest(where + ".text", "'" + where + ".text' must be a string");
      }
      text.append(part.get("text").asText());
    }
    return text.toString();
  }

  /** A string, a list of token ids, or a one-element list of either. */
  private static Prompt textPrompt(Fields f) {
    JsonNode p = f.raw("prompt");
    if (p == null) {
      throw ApiException.badRequest("prompt", "'prompt' is required");
    }
    if (p.isArray() && p.size() == 1 && (p.get(0).isTextual() || p.get(0).isArray())) {
      p = p.get(0);
    } else if (p.isArray() && !p.isEmpty() && (p.get(0).isTextual() || p.get(0).isArray())) {
      throw ApiException.badRequest("prompt", "'prompt' holds " + p.size() + " prompts; this server completes one "
          + "per request");
    }
    if (p.isTextual()) {
      return new Prompt.Text(p.asText());
    }
    if (!p.isArray()) {
      throw ApiException.badRequest("prompt", "'prompt' must be a string or an array of token ids, got " + Fields.kind(p));
    }
    if (p.isEmpty()) {
      throw ApiException.badRequest("prompt", "'prompt' must not be empty");
    }
    int[] ids = new int[p.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode e = p.get(i);
      if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 0) {
        throw ApiException.badRequest("prompt", "'prompt[" + i + "]' must be a token id (an integer >= 0), got "
            + e.asText());
      }
      ids[i] = e.asInt();
    }
    return new Prompt.Ids(ids);
  }
}
