package tips.drain.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** An event stream as a client reads it: the JSON of each {@code data:} event, and whether {@code [DONE]} ended it. */
record Sse(List<JsonNode> events, boolean done, int comments) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Sse parse(String body) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    boolean done = false;
    int comments = 0;
    for (String block : body.split("\n\n")) {
      if (block.isEmpty()) {
        continue;
      }
      if (done) {
        throw new AssertionError("an event after [DONE]: " + block);
      }
      if (block.startsWith(":")) {
        comments++;
        continue;
      }
      if (!block.startsWith("data: ") || block.indexOf('\n') >= 0) {
        throw new AssertionError("not a one-line data event: " + block);
      }
      String data = block.substring(6);
      if (data.equals("[DONE]")) {
        done = true;
      } else {
        events.add(JSON.readTree(data));
      }
    }
    if (!body.endsWith("\n\n")) {
      throw new AssertionError("the stream does not end with a blank line");
    }
    return new Sse(events, done, comments);
  }

  /** The chat text: every delta's content, concatenated. */
  String chatText() {
    StringBuilder b = new StringBuilder();
    for (JsonNode e : events) {
      for (JsonNode c : e.path("choices")) {
        if (c.path("delta").path("content").isTextual()) {
          b.append(c.path("delta").path("content").asText());
        }
      }
    }
    return b.toString();
  }
}
