package tips.drain.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import tips.drain.api.FinishReason;
import tips.drain.api.TokenLogprobs;

/** How one endpoint writes its answers: chat completions or text completions, whole or as stream chunks. */
sealed interface Wire permits ChatWire, TextWire {

  /** What every answer to one request repeats: its id, creation time (epoch seconds) and model name. */
  record Envelope(String id, long created, String model) {}

  /** Token counts of a request. */
  record Usage(int promptTokens, int completionTokens) {
    ObjectNode json() {
      ObjectNode u = Json.object();
      u.put("prompt_tokens", promptTokens);
      u.put("completion_tokens", completionTokens);
      u.put("total_tokens", promptTokens + completionTokens);
      return u;
    }
  }

  /** The id's prefix, e.g. {@code chatcmpl-}. */
  String idPrefix();

  /** The {@code object} of stream chunks. */
  String chunkObject();

  /** The chunk before any text (chat: the role), or null when the format has none. */
  ObjectNode firstChunk(Envelope e);

  /** A chunk of generated text with the log probabilities of its tokens (null when not asked for). */
  ObjectNode textChunk(Envelope e, String text, List<TokenLogprobs> logprobs);

  /** The last chunk of a choice: no text, the finish reason. */
  ObjectNode finishChunk(Envelope e, FinishReason reason);

  /** The whole answer of a request that did not stream. */
  ObjectNode response(Envelope e, String text, List<TokenLogprobs> logprobs, FinishReason reason, Usage usage);

  /** The chunk after the finish chunk when {@code stream_options.include_usage} is set: no choices, the usage. */
  default ObjectNode usageChunk(Envelope e, Usage usage) {
    ObjectNode chunk = envelope(e, chunkObject());
    chunk.putArray("choices");
    chunk.set("usage", usage.json());
    return chunk;
  }

  static ObjectNode envelope(Envelope e, String object) {
    ObjectNode o = Json.object();
    o.put("id", e.id());
    o.put("object", object);
    o.put("created", e.created());
    o.put("model", e.model());
    return o;
  }

  /** OpenAI's finish reasons: {@code stop} or {@code length} (a cancelled request gets no answer). */
  static String finishReason(FinishReason r) {
    return r == FinishReason.LENGTH ? "length" : "stop";
  }
}
