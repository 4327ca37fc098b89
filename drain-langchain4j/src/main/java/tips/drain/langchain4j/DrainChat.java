package tips.drain.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tips.drain.DrainException;
import tips.drain.api.GenerationOptions;
import tips.drain.api.GenerationResult;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.ModelLocator;
import tips.drain.api.Session;
import tips.drain.api.TokenListener;
import tips.drain.sampling.SamplingParams;
import tips.drain.template.ChatTemplate;
import tips.drain.tokenizer.Tokenizer;
import tips.drain.tokenizer.TokenizerConfig;

/**
 * What {@link DrainChatModel} and {@link DrainStreamingChatModel} share: the loaded model, its chat template, and
 * how a LangChain4j request becomes a DRAIN generation. Each request runs in a fresh session over the whole
 * conversation it carries (LangChain4j's chat memory lives on its side).
 */
final class DrainChat implements AutoCloseable {
  private final LanguageModel model;
  private final boolean owned;
  private final String modelName;
  private final ChatTemplate template;
  private final List<Integer> endOfTurn;
  private final long seed;
  private final float repetitionPenalty;

  DrainChat(LanguageModel model, boolean owned, String modelName, long seed, float repetitionPenalty) {
    this.model = model;
    this.owned = owned;
    this.modelName = modelName;
    this.seed = seed;
    this.repetitionPenalty = repetitionPenalty;
    this.template = ChatTemplate.load(model.directory()).orElse(null);
    Tokenizer tokenizer = tokenizer(model);
    String eos = TokenizerConfig.load(model.directory()).eosToken();
    int id = eos == null ? -1 : tokenizer.tokenToId(eos);
    this.endOfTurn = id < 0 ? List.of() : List.of(id);
  }

  /** Loads the model a builder names. */
  static DrainChat load(LanguageModel model, Path modelPath, String modelName, Integer threads, long seed,
      float repetitionPenalty) {
    if (model != null) {
      return new DrainChat(model, false, modelName != null ? modelName : model.directory().getFileName().toString(), seed,
          repetitionPenalty);
    }
    if (modelPath == null && modelName == null) {
      throw new IllegalArgumentException("give modelPath(...) or modelName(...) (a name found in models/ or DRAIN_MODEL_PATH)");
    }
    Path dir = modelPath != null ? modelPath : ModelLocator.resolve(modelName);
    LoadOptions options = threads == null ? LoadOptions.defaults() : LoadOptions.defaults().withThreads(threads);
    return new DrainChat(LanguageModel.load(dir, options), true, modelName != null ? modelName : dir.getFileName().toString(),
        seed, repetitionPenalty);
  }

  private static Tokenizer tokenizer(LanguageModel model) {
    return model.tokenizer().orElseThrow(() -> new DrainException(model.directory() + ": loaded without a tokenizer"));
  }

  String modelName() {
    return modelName;
  }

  /** Runs {@code request}, handing each piece of text to {@code listener} as it comes. */
  ChatResponse generate(ChatRequest request, TokenListener listener) {
    ChatRequestParameters p = request.parameters();
    refuseUnsupported(p);
    List<tips.drain.template.ChatMessage> messages = messages(request.messages());
    GenerationOptions options = options(p);
    try (Session session = model.newSession()) {
      GenerationResult r;
      if (template != null) {
        int[] ids = tokenizer(model).encode(template.render(messages, true), false);
        r = session.generate(ids, options.withAddSpecialTokens(false).withStopTokens(endOfTurn), listener);
      } else {
        // a model without a chat template (a base model) continues the messages' text
        r = session.generate(String.join("\n", messages.stream().map(tips.drain.template.ChatMessage::content).toList()),
            options, listener);
      }
      FinishReason finish = switch (r.finishReason()) {
        case STOP -> FinishReason.STOP;
        case LENGTH -> FinishReason.LENGTH;
        case CANCELLED -> FinishReason.OTHER;
      };
      return ChatResponse.builder()
          .aiMessage(AiMessage.from(r.text()))
          .metadata(ChatResponseMetadata.builder().modelName(modelName).finishReason(finish)
              .tokenUsage(new TokenUsage(r.promptIds().length, r.generatedIds().length)).build())
          .build();
    } catch (DrainException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
  }

  /** LangChain4j's parameters as DRAIN's generation options, over the model's generation_config.json defaults. */
  private GenerationOptions options(ChatRequestParameters p) {
    try {
      SamplingParams s = model.generationConfig().samplingDefaults().withSeed(seed);
      if (repetitionPenalty != 1f) {
        s = s.withRepetitionPenalty(repetitionPenalty);
      }
      if (p.temperature() != null) {
        s = s.withTemperature(p.temperature().floatValue());
      }
      if (p.topP() != null) {
        s = s.withTopP(p.topP().floatValue());
      }
      if (p.topK() != null) {
        s = s.withTopK(p.topK());
      }
      GenerationOptions o = GenerationOptions.defaults().withSampling(s);
      if (p.maxOutputTokens() != null) {
        o = o.withMaxTokens(p.maxOutputTokens());
      }
      if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
        o = o.withStopStrings(p.stopSequences());
      }
      return o;
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
  }

  private static void refuseUnsupported(ChatRequestParameters p) {
    if (p.frequencyPenalty() != null && p.frequencyPenalty() != 0) {
      throw new UnsupportedFeatureException("frequencyPenalty is not supported by DRAIN; use the builder's "
          + "repetitionPenalty(...) (llama.cpp's multiplicative penalty) instead");
    }
    if (p.presencePenalty() != null && p.presencePenalty() != 0) {
      throw new UnsupportedFeatureException("presencePenalty is not supported by DRAIN; use the builder's "
          + "repetitionPenalty(...) (llama.cpp's multiplicative penalty) instead");
    }
    if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
      throw new UnsupportedFeatureException("tools are not supported by DRAIN's chat models");
    }
    if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
      throw new UnsupportedFeatureException("responseFormat JSON is not supported by DRAIN's chat models");
    }
  }

  private static List<tips.drain.template.ChatMessage> messages(List<ChatMessage> in) {
    List<tips.drain.template.ChatMessage> out = new ArrayList<>(in.size());
    for (ChatMessage m : in) {
      out.add(switch (m) {
        case SystemMessage s -> tips.drain.template.ChatMessage.system(s.text());
        case UserMessage u when u.hasSingleText() -> tips.drain.template.ChatMessage.user(u.singleText());
        case UserMessage u -> throw new UnsupportedFeatureException("user messages with images, audio, video or files "
            + "are not supported by DRAIN; send text only");
        case AiMessage a when a.hasToolExecutionRequests() -> throw new UnsupportedFeatureException(
            "tool execution requests are not supported by DRAIN's chat models");
        case AiMessage a -> tips.drain.template.ChatMessage.assistant(a.text() == null ? "" : a.text());
        default -> throw new UnsupportedFeatureException(m.type() + " messages are not supported by DRAIN's chat models");
      });
    }
    return out;
  }

  Optional<ChatTemplate> template() {
    return Optional.ofNullable(template);
  }

  @Override
  public void close() {
    if (owned) {
      model.close();
    }
  }
}
