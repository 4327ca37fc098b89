package tips.drain.api;

import java.util.Locale;

/** Why generation ended. */
public enum FinishReason {
  /** The token limit ({@code maxTokens}) or the context was reached. */
  LENGTH,
  /** An end-of-sequence token or a stop string. */
  STOP,
  /** {@link Session#cancel()} was called. */
  CANCELLED;

  /** {@code "length"}, {@code "stop"}, {@code "cancelled"}, as in OpenAI's API. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
