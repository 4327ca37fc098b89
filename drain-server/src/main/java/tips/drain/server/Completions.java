package tips.drain.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import tips.drain.DrainException;
import tips.drain.api.FinishReason;
import tips.drain.api.GenerationOptions;
import tips.drain.api.GenerationResult;
import tips.drain.api.Session;
import tips.drain.api.TokenListener;
import tips.drain.api.TokenLogprobs;
import tips.drain.tokenizer.Tokenizer;

/**
 * Runs chat and text completion requests: checks and encodes the prompt, waits for a slot, generates on the
 * slot's session, and answers whole or streamed. A streamed request whose client goes away, while it waits or
 * while it generates, is cancelled.
 */
final class Completions {
  /**
   * How often a streamed request that waits for a slot pings its client. A write to a connection the client has
   * closed usually fails only from the second one on, so a client that left is found within about two intervals.
   */
  static final long PING_MILLIS = 100;

  private final ServedModel served;
  private final SlotPool pool;
  private final Metrics metrics;
  private final Set<Session> running = ConcurrentHashMap.newKeySet();
  private volatile boolean cancelAll;

  Completions(ServedModel served, SlotPool pool, Metrics metrics) {
    this.served = served;
    this.pool = pool;
    this.metrics = metrics;
  }

  /** Cancels every running generation, and every one that starts from now on (the server is stopping). */
  void cancelAll() {
    cancelAll = true;
    for (Session s : running) {
      s.cancel();
    }
  }

  void chat(HttpCall call, ObjectNode body, long arrival) throws IOException {
    CompletionRequest request = CompletionRequest.chat(body, served.samplingDefaults());
    run(call, request, ChatWire::new, arrival);
  }

  void text(HttpCall call, ObjectNode body, long arrival) throws IOException {
    CompletionRequest request = CompletionRequest.text(body, served.samplingDefaults());
    run(call, request, TextWire::new, arrival);
  }

  private void run(HttpCall call, CompletionRequest request, Function<LogprobsJson, Wire> format, long arrival)
      throws IOException {
    ServedModel.Variant variant = served.variant(request.model());
    boolean chat = request.prompt() instanceof Prompt.Messages;
    int[] prompt = encode(request.prompt());
    if (prompt.length == 0) {
      throw ApiException.badRequest(chat ? "messages" : "prompt", "the prompt encodes to no tokens: give some text");
    }
    Wire wire = format.apply(new LogprobsJson(served.tokenizer(), prompt[prompt.length - 1]));
    int context = pool.contextLength();
    if (prompt.length >= context) {
      throw ApiException.badRequest(chat ? "messages" : "prompt", "context_length_exceeded", "the prompt has "
          + prompt.length + " tokens but the context holds " + context + " (the prompt and at least one generated "
          + "token must fit); shorten it, or start the server with a longer --context");
    }
    int room = context - prompt.length;
    GenerationOptions options = GenerationOptions.defaults()
        .withMaxTokens(request.maxTokens() == null ? room : request.maxTokens())
        .withSampling(request.sampling())
        .withStopStrings(request.stop())
        .withAddSpecialTokens(false)
        .withStopOnEos(!request.ignoreEos())
        .withStopTokens(chat && !request.ignoreEos() ? served.endOfTurn() : List.of())
        .withLogprobs(request.logprobs());
    Wire.Envelope envelope = new Wire.Envelope(wire.idPrefix() + newId(), System.currentTimeMillis() / 1000,
        variant.name());

    SlotPool.Ticket ticket = pool.enqueue();
    SseStream events = null;
    SlotPool.Slot slot;
    try {
      if (request.stream()) {
        events = call.events();
        slot = ticket.await(PING_MILLIS, events::ping);
      } else {
        slot = ticket.await(PING_MILLIS, () -> {});
      }
    } catch (IOException gone) {
      ticket.leave();
      metrics.cancelledWhileQueued();
      return;
    } catch (InterruptedException e) {
      ticket.leave();
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("shutting_down", "the server is shutting down");
    }
    try (slot) {
      generate(slot.session(variant), prompt, options, request, wire, envelope, call, events, arrival);
    }
  }

  private void generate(Session session, int[] prompt, GenerationOptions options, CompletionRequest request,
      Wire wire, Wire.Envelope envelope, HttpCall call, SseStream events, long arrival) throws IOException {
    if (cancelAll) { // the server stops: what had been waiting does not start
      stopped(events);
      return;
    }
    Listener listener = new Listener(session, wire, envelope, events, request.logprobs() >= 0, arrival);
    running.add(session);
    metrics.started(prompt.length);
    GenerationResult result = null;
    try {
      if (events != null) {
        ObjectNode first = wire.firstChunk(envelope);
        if (first != null) {
          listener.send(first);
        }
      }
      if (!listener.gone) {
        result = session.generate(prompt, options, listener);
      }
    } finally {
      running.remove(session);
      int generated = result == null ? 0 : result.generatedIds().length;
      boolean cancelled = result == null || result.finishReason() == FinishReason.CANCELLED;
      metrics.finished(prompt.length + generated, cancelled);
      listener.record(generated);
    }
    if (listener.gone) {
      return; // nobody to answer
    }
    if (result.finishReason() == FinishReason.CANCELLED) {
      stopped(events);
      return;
    }
    Wire.Usage usage = new Wire.Usage(prompt.length, result.generatedIds().length);
    if (events == null) {
      call.json(200, wire.response(envelope, result.text(), listener.all, result.finishReason(), usage));
      return;
    }
    listener.send(wire.finishChunk(envelope, result.finishReason()));
    if (request.includeUsage()) {
      listener.send(wire.usageChunk(envelope, usage));
    }
    if (!listener.gone) {
      try {
        events.done();
      } catch (IOException e) {
        return;
      }
    }
    events.close();
  }

  /** Tells a request the server stopped it: a 503, or an error event when it streams. */
  private static void stopped(SseStream events) throws IOException {
    ApiException stopping = ApiException.unavailable("shutting_down", "the server is shutting down; the "
        + "generation was stopped");
    if (events == null) {
      throw stopping;
    }
    try {
      events.event(Json.error(stopping));
    } finally {
      events.close();
    }
  }

  /** The prompt's ids: a rendered conversation, encoded text, or ids checked against the vocabulary. */
  private int[] encode(Prompt prompt) {
    Tokenizer tokenizer = served.tokenizer();
    return switch (prompt) {
      case Prompt.Messages m -> {
        String text;
        try {
          text = served.template().render(m.messages(), true);
        } catch (DrainException | IllegalStateException e) {
          throw ApiException.badRequest("messages", "the chat template refused these messages: " + e.getMessage());
        }
        yield tokenizer.encode(text, false);
      }
      case Prompt.Text t -> tokenizer.encode(t.text(), true);
      case Prompt.Ids ids -> {
        int vocab = served.model().config().vocabSize();
        for (int i = 0; i < ids.ids().length; i++) {
          if (ids.ids()[i] >= vocab) {
            throw ApiException.badRequest("prompt", "'prompt[" + i + "]' is token id " + ids.ids()[i]
                + ", outside the vocabulary of " + vocab);
          }
        }
        yield ids.ids();
      }
    };
  }

  private static String newId() {
    byte[] b = new byte[12];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Streams each token as a chunk (or collects log probabilities for a whole answer) and times the request. */
  private final class Listener implements TokenListener {
    private final Session session;
    private final Wire wire;
    private final Wire.Envelope envelope;
    private final SseStream events;
    private final boolean wantLogprobs;
    private final long arrival;
    private final List<TokenLogprobs> all;
    private List<TokenLogprobs> pending = new ArrayList<>();
    private long firstToken;
    private long lastToken;
    boolean gone;

    Listener(Session session, Wire wire, Wire.Envelope envelope, SseStream events, boolean wantLogprobs,
        long arrival) {
      this.session = session;
      this.wire = wire;
      this.envelope = envelope;
      this.events = events;
      this.wantLogprobs = wantLogprobs;
      this.arrival = arrival;
      this.all = wantLogprobs ? new ArrayList<>() : null;
    }

    @Override
    public void onLogprobs(TokenLogprobs logprobs) {
      pending.add(logprobs);
      if (all != null) {
        all.add(logprobs);
      }
    }

    @Override
    public void onToken(int id, String text) {
      if (id >= 0) {
        long now = System.nanoTime();
        if (firstToken == 0) {
          firstToken = now;
        }
        lastToken = now;
        metrics.token();
      }
      if (events == null || (text.isEmpty() && pending.isEmpty())) {
        return;
      }
      List<TokenLogprobs> lps = wantLogprobs ? pending : null;
      pending = new ArrayList<>();
      send(wire.textChunk(envelope, text, lps));
    }

    /** Sends one event; a failed write means the client is gone, and generation is cancelled. */
    void send(ObjectNode chunk) {
      if (gone) {
        return;
      }
      try {
        events.event(chunk);
      } catch (IOException e) {
        gone = true;
        session.cancel();
        events.close();
      }
    }

    void record(int generated) {
      if (firstToken != 0) {
        metrics.firstToken((firstToken - arrival) / 1e9);
        if (generated > 1 && lastToken > firstToken) {
          metrics.decodeRate((generated - 1) * 1e9 / (lastToken - firstToken));
        }
      }
    }
  }
}
