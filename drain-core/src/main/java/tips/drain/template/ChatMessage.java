package tips.drain.template;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation, as chat templates see it: {@code message.role}, {@code message.content},
 * and any extra fields a template reads ({@code reasoning_content}, {@code tool_calls}, a list-valued
 * {@code content} for multimodal templates...).
 *
 * @param role "system", "user", "assistant", "tool"...
 * @param content the text of the message
 * @param extra further fields, in order; an entry named "content" replaces {@code content}
 */
public record ChatMessage(String role, String content, Map<String, Object> extra) {

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
  }

  public ChatMessage(String role, String content) {
    this(role, content, Map.of());
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }

  /** The message as the mapping a template reads. */
  Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("role", role);
    map.put("content", content);
    map.putAll(extra);
    return map;
  }
}
