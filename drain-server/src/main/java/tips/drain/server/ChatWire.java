package tips.drain.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import tips.drain.api.FinishReason;
import tips.drain.api.TokenLogprobs;

/** {@code /v1/chat/completions}: {@code chat.completion} objects and {@code chat.completion.chunk} events. */
final class ChatWire implements Wire {
  private final LogprobsJson logprobs;

  ChatWire(LogprobsJson logprobs) {
    this.logprobs = logprobs;
  }

  @Override
  public String idPrefix() {
    return "chatcmpl-";
  }

  @Override
  public String chunkObject() {
    return "chat.completion.chunk";
  }

  @Override
  public ObjectNode firstChunk(Envelope e) {
    ObjectNode chunk = Wire.envelope(e, chunkObject());
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta").put("role", "assistant");
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    return chunk;
  }

  @Override
  public ObjectNode textChunk(Envelope e, String text, List<TokenLogprobs> lps) {
    ObjectNode chunk = Wire.envelope(e, chunkObject());
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta").put("content", text);
    if (lps == null) {
      choice.putNull("logprobs");
    } else {
      choice.set("logprobs", logprobs.chat(lps));
    }
    choice.putNull("finish_reason");
    return chunk;
  }

  @Override
  public ObjectNode finishChunk(Envelope e, FinishReason reason) {
    ObjectNode chunk = Wire.envelope(e, chunkObject());
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta");
    choice.putNull("logprobs");
    choice.put("finish_reason", Wire.finishReason(reason));
    return chunk;
  }

  @Override
  public ObjectNode response(Envelope e, String text, List<TokenLogprobs> lps, FinishReason reason, Usage usage) {
    ObjectNode o = Wire.envelope(e, "chat.completion");
    ObjectNode choice = o.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", text);
    message.putNull("refusal");
    if (lps == null) {
      choice.putNull("logprobs");
    } else {
      choice.set("logprobs", logprobs.chat(lps));
    }
    choice.put("finish_reason", Wire.finishReason(reason));
    o.set("usage", usage.json());
    return o;
  }
}
