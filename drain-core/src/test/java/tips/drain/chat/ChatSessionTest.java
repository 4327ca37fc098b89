package tips.drain.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tips.drain.api.ContextLengthException;
import tips.drain.api.FinishReason;
import tips.drain.api.GenerationOptions;
import tips.drain.api.GenerationResult;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.SessionOptions;
import tips.drain.api.TokenListener;
import tips.drain.template.ChatMessage;
import tips.drain.template.ChatTemplate;
import tips.drain.tokenizer.TokenizerConfig;
import tips.drain.testing.TestData;

/** ChatSession on stories260K with a small template: turns, cached prefixes, refusal of an over-long message, cancel. */
class ChatSessionTest {
  private static LanguageModel model;
  private static ChatTemplate template;

  @BeforeAll
  static void load() {
    model = LanguageModel.load(TestData.model("stories260K"), LoadOptions.defaults().withThreads(2));
    template = ChatTemplate.of("{{ bos_token }}{% for m in messages %}{% if m['role'] == 'assistant' %}"
        + "{{ m['content'] + eos_token }}{% else %}{{ m['content'] }}{% endif %}{% endfor %}", "test",
        TokenizerConfig.load(model.directory()).specialTokensMap());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static ChatSession chat(int context) {
    return ChatSession.open(model, template, SessionOptions.defaults().withContextLength(context));
  }

  private static GenerationOptions tokens(int n) {
    return GenerationOptions.defaults().withMaxTokens(n);
  }

  @Test
  void theNextTurnComputesOnlyWhatTheCacheLacks() {
    try (ChatSession chat = chat(256).withSystem("Once upon a time")) {
      GenerationResult first = chat.send(" there was a cat.", tokens(6), TokenListener.NONE);
      assertTrue(first.stats().cachedTokens() <= 1, "at most the BOS another test's conversation left in a slot");
      GenerationResult second = chat.send(" The cat was happy.", tokens(6), TokenListener.NONE);
      // the second rendering starts with the first turn's ids (up to the answer as the template writes it)
      assertTrue(second.stats().cachedTokens() >= first.promptIds().length - 1,
          second.stats().cachedTokens() + " cached of a first prompt of " + first.promptIds().length);
      List<ChatMessage> messages = chat.messages();
      assertEquals(List.of("system", "user", "assistant", "user", "assistant"), messages.stream().map(ChatMessage::role).toList());
    }
  }

  @Test
  void aMessageOverTheContextIsRefusedWithItsTokenCountAndTheChatGoesOn() {
    try (ChatSession chat = chat(32)) {
      chat.send("Once upon a time", tokens(4), TokenListener.NONE);
      String longMessage = " the little dog ran to the park and played with a ball".repeat(6);
      ContextLengthException e = assertThrows(ContextLengthException.class,
          () -> chat.send(longMessage, tokens(4), TokenListener.NONE));
      int count = e.getMessage().indexOf("message of ");
      assertTrue(count >= 0 && e.getMessage().contains("tokens") && e.getMessage().contains("context of 32"), e.getMessage());
      assertEquals(2, chat.messages().size(), "the refused message did not join the conversation");
      assertEquals(FinishReason.LENGTH, chat.send(" The end.", tokens(4), TokenListener.NONE).finishReason());
      assertEquals(4, chat.messages().size());
    }
  }

  @Test
  void oldTurnsMakeRoomForANewOne() {
    try (ChatSession chat = chat(48).withSystem("Hi")) {
      for (int i = 0; i < 4; i++) {
        chat.send(" Once upon a time there was a girl.", tokens(8), TokenListener.NONE);
      }
      assertEquals("system", chat.messages().get(0).role(), "the system prompt stays");
      assertTrue(chat.messages().size() < 9, "older turns were dropped: " + chat.messages().size() + " messages");
    }
  }

  @Test
  void aCancelledAnswerIsKeptAndTheChatGoesOn() {
    try (ChatSession chat = chat(256)) {
      int[] seen = {0};
      GenerationResult r = chat.send("Once upon a time", tokens(50), (id, text) -> {
        if (id >= 0 && ++seen[0] == 3) {
          chat.cancel();
        }
      });
      assertEquals(FinishReason.CANCELLED, r.finishReason());
      assertEquals(3, r.generatedIds().length);
      assertEquals(r.text(), chat.messages().get(1).content());
      assertEquals(FinishReason.LENGTH, chat.send(" Then", tokens(3), TokenListener.NONE).finishReason());
    }
  }
}
