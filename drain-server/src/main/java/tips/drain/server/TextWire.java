package tips.drain.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import tips.drain.api.FinishReason;
import tips.drain.api.TokenLogprobs;

/** {@code /v1/completions}: {@code text_completion} objects, whole or as events of the same shape. */
final class TextWire implements Wire {
  private final LogprobsJson logprobs;
  /** Characters streamed so far, for the logprobs' {@code text_offset}. */
  private int streamed;

  TextWire(LogprobsJson logprobs) {
    this.logprobs = logprobs;
  }

  @Override
  public String idPrefix() {
    return "cmpl-";
  }

  @Override
  public String chunkObject() {
    return "text_completion";
  }

  @Override
  public ObjectNode firstChunk(Envelope e) {
    return null;
  }

  @Override
  public ObjectNode textChunk(Envelope e, String text, List<TokenLogprobs> lps) {
    ObjectNode chunk = choice(e, text, lps == null ? null : logprobs.text(lps, streamed), null);
    streamed += text.length();
    return chunk;
  }

  @Override
  public ObjectNode finishChunk(Envelope e, FinishReason reason) {
    return choice(e, "", null, Wire.finishReason(reason));
  }

  @Override
  public ObjectNode response(Envelope e, String text, List<TokenLogprobs> lps, FinishReason reason, Usage usage) {
    ObjectNode o = choice(e, text, lps == null ? null : logprobs.text(lps, 0), Wire.finishReason(reason));
    o.set("usage", usage.json());
    return o;
  }

  private ObjectNode choice(Envelope e, String text, ObjectNode lps, String finish) {
    ObjectNode o = Wire.envelope(e, chunkObject());
    ObjectNode choice = o.putArray("choices").addObject();
    choice.put("index", 0);
    choice.put("text", text);
    if (lps == null) {
      choice.putNull("logprobs");
    } else {
      choice.set("logprobs", lps);
    }
    choice.put("finish_reason", finish);
    return o;
  }
}
