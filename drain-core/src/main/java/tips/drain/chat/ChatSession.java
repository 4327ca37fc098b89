package tips.drain.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import tips.drain.DrainException;
import tips.drain.api.ContextLengthException;
import tips.drain.api.FinishReason;
import tips.drain.api.GenerationOptions;
import tips.drain.api.GenerationResult;
import tips.drain.api.LanguageModel;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.api.TokenListener;
import tips.drain.template.ChatMessage;
import tips.drain.template.ChatTemplate;
import tips.drain.tokenizer.Tokenizer;
import tips.drain.tokenizer.TokenizerConfig;

/**
 * A conversation with a chat model: each {@link #send} renders the whole conversation with the model's chat
 * template, encodes it, and generates the answer until the end of the turn. What the model already computed is not
 * computed again: the engine finds the longest cached start of the rendered conversation (this conversation's last
 * turn, or another with the same system prompt) and feeds only the rest. Used by {@code drain chat} and the server.
 *
 * <p>A message that cannot fit the context, even after dropping the oldest turns, is refused with its token count
 * ({@link ContextLengthException}) and the conversation goes on without it; a cancelled answer ({@link #cancel()})
 * is kept as far as it got, and the conversation goes on. One thread at a time; {@link #cancel()} from any.
 */
public final class ChatSession implements AutoCloseable {
  private final Session session;
  private final ChatTemplate template;
  private final Tokenizer tokenizer;
  private final List<Integer> endOfTurn;
  private final List<ChatMessage> messages = new ArrayList<>();

  private ChatSession(Session session, ChatTemplate template, Tokenizer tokenizer, List<Integer> endOfTurn) {
    this.session = session;
    this.template = template;
    this.tokenizer = tokenizer;
    this.endOfTurn = endOfTurn;
  }

  /** A conversation with the model's own chat template, of the model's context (at most 4096) and no system prompt. */
  public static ChatSession open(LanguageModel model) {
    ChatTemplate template = ChatTemplate.load(model.directory()).orElseThrow(() -> new DrainException(model.directory()
        + " has no chat template (no chat_template in tokenizer_config.json, no chat_template.jinja): give one"));
    return open(model, template, SessionOptions.defaults());
  }

  /** A conversation with {@code template}, in a session made with {@code options}. */
  public static ChatSession open(LanguageModel model, ChatTemplate template, SessionOptions options) {
    Tokenizer tokenizer = model.tokenizer().orElseThrow(() -> new DrainException(model.directory()
        + ": loaded without a tokenizer, which a chat needs"));
    return new ChatSession(model.newSession(options), template, tokenizer, endOfTurn(model, tokenizer));
  }

  /** The template's end-of-turn token (tokenizer_config's eos_token), which may differ from the model's EOS ids. */
  private static List<Integer> endOfTurn(LanguageModel model, Tokenizer tokenizer) {
    String eos = TokenizerConfig.load(model.directory()).eosToken();
    int id = eos == null ? -1 : tokenizer.tokenToId(eos);
    return id < 0 ? List.of() : List.of(id);
  }

  /** Sets the system prompt (replacing any), kept by {@link #reset()}. */
  public ChatSession withSystem(String system) {
    messages.removeIf(m -> m.role().equals("system"));
    messages.add(0, ChatMessage.system(system));
    return this;
  }

  /** The conversation so far: system prompt, then user and assistant turns. */
  public List<ChatMessage> messages() {
    return List.copyOf(messages);
  }

  /**
   * Answers {@code message}: the conversation with it, rendered and encoded, is generated on until the end of the
   * turn, {@code options}' limits or a cancel; the answer joins the conversation (as far as it got).
   *
   * @throws ContextLengthException when the message, with the system prompt, cannot fit the context: the
   *     conversation stays as it was
   */
  public GenerationResult send(String message, GenerationOptions options, TokenListener listener) {
    List<ChatMessage> turn = new ArrayList<>(messages);
    turn.add(ChatMessage.user(message));
    int[] ids = encode(turn);
    // room for at least one answer token; drop the oldest turns (keeping the system prompt) until it fits
    while (ids.length >= session.capacity() && dropOldestTurn(turn)) {
      ids = encode(turn);
    }
    if (ids.length >= session.capacity()) {
      throw new ContextLengthException("message of " + ids.length + " tokens (with the template and system prompt) does"
          + " not fit the context of " + session.capacity() + " tokens: shorten it or use a longer context");
    }
    GenerationOptions chat = options.withAddSpecialTokens(false).withStopTokens(IntStream.concat(
        options.stopTokens().stream().mapToInt(Integer::intValue), endOfTurn.stream().mapToInt(Integer::intValue))
        .boxed().toList());
    // from the start: the engine reuses whatever start of these ids its caches hold
    session.reset();
    GenerationResult result = session.generate(ids, chat, listener);
    messages.clear();
    messages.addAll(turn);
    messages.add(ChatMessage.assistant(result.finishReason() == FinishReason.CANCELLED ? result.text() : result.text().strip()));
    return result;
  }

  private int[] encode(List<ChatMessage> conversation) {
    return tokenizer.encode(template.render(conversation, true), false);
  }

  /** Removes the oldest user turn and the answer after it; false when only the system prompt and the new message are left. */
  private static boolean dropOldestTurn(List<ChatMessage> turn) {
    int first = turn.isEmpty() || !turn.get(0).role().equals("system") ? 0 : 1;
    if (turn.size() - first <= 1) {
      return false;
    }
    turn.remove(first);
    while (turn.size() - first > 1 && !turn.get(first).role().equals("user")) {
      turn.remove(first);
    }
    return true;
  }

  /** Stops the answer being generated after its current token; the conversation goes on. From any thread. */
  public void cancel() {
    session.cancel();
  }

  /** Forgets the turns, keeps the system prompt. */
  public void reset() {
    messages.removeIf(m -> !m.role().equals("system"));
    session.reset();
  }

  /** Positions the conversation may take. */
  public int capacity() {
    return session.capacity();
  }

  /** Tokens {@code text} takes with this model's tokenizer (no special tokens added). */
  public int countTokens(String text) {
    return tokenizer.encode(text, false).length;
  }

  @Override
  public void close() {
    session.close();
  }
}
