package tips.drain.server;

import java.util.List;
import tips.drain.template.ChatMessage;

/** What a completion request asks the model to continue. */
sealed interface Prompt {
  /** A conversation, rendered with the model's chat template ({@code /v1/chat/completions}). */
  record Messages(List<ChatMessage> messages) implements Prompt {
    public Messages {
      messages = List.copyOf(messages);
    }
  }

  /** Plain text, encoded with the tokenizer's BOS ({@code /v1/completions}). */
  record Text(String text) implements Prompt {}

  /** Token ids, fed as they are ({@code /v1/completions}). */
  record Ids(int[] ids) implements Prompt {
    public Ids {
      ids = ids.clone();
    }
  }
}
