package tips.drain.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tips.drain.testing.TestData;

/**
 * DRAIN through LangChain4j's own machinery: an AiServices interface answering with stories260K (greedy, token for
 * token the golden continuation), streaming, parameters mapped or refused, and a RAG flow (EmbeddingStoreIngestor,
 * InMemoryEmbeddingStore, EmbeddingStoreContentRetriever) on DRAIN's all-MiniLM-L6-v2.
 */
class DrainLangChain4jTest {
  private static DrainChatModel chat;
  private static DrainEmbeddingModel embeddings;

  interface Storyteller {
    String continueStory(String beginning);
  }

  @BeforeAll
  static void load() {
    chat = DrainChatModel.builder().modelPath(TestData.model("stories260K")).threads(1).temperature(0).maxOutputTokens(12)
        .build();
    embeddings = DrainEmbeddingModel.builder().modelPath(TestData.model("all-MiniLM-L6-v2")).threads(2).build();
  }

  @AfterAll
  static void close() {
    chat.close();
    embeddings.close();
    if (shared != null) {
      shared.close();
    }
  }

  @Test
  void aiServicesAnswerThroughDrain() {
    Storyteller teller = AiServices.create(Storyteller.class, chat);
    // stories260K has no chat template: the message's text is continued, greedily, as llama2.c does
    assertEquals(", there was a little girl named Lily. She", teller.continueStory("Once upon a time"));
  }

  @Test
  void responseCarriesUsageAndFinishReasonAndStopSequencesApply() {
    ChatResponse r = chat.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time")).build());
    assertEquals(5, r.tokenUsage().inputTokenCount());
    assertEquals(12, r.tokenUsage().outputTokenCount());
    assertEquals(FinishReason.LENGTH, r.finishReason());
    assertEquals("stories260K", r.metadata().modelName());
    ChatResponse stopped = chat.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time"))
        .stopSequences(List.of("Lily")).maxOutputTokens(50).build());
    assertEquals(", there was a little girl named ", stopped.aiMessage().text());
    assertEquals(FinishReason.STOP, stopped.finishReason());
  }

  @Test
  void seededSamplingIsReproducibleAndTheSeedMatters() {
    ChatRequest request = ChatRequest.builder().messages(UserMessage.from("The cat")).temperature(1.0).topP(0.95).topK(40)
        .maxOutputTokens(20).build();
    try (DrainChatModel a = DrainChatModel.builder().model(chatModelOf()).seed(7).build();
        DrainChatModel b = DrainChatModel.builder().model(chatModelOf()).seed(8).build()) {
      String first = a.chat(request).aiMessage().text();
      assertEquals(first, a.chat(request).aiMessage().text());
      assertNotEquals(first, b.chat(request).aiMessage().text());
    }
  }

  private static tips.drain.api.LanguageModel shared;

  private static synchronized tips.drain.api.LanguageModel chatModelOf() {
    if (shared == null) {
      shared = tips.drain.api.LanguageModel.load(TestData.model("stories260K"),
          tips.drain.api.LoadOptions.defaults().withThreads(1));
    }
    return shared;
  }

  @Test
  void unsupportedParametersAreRefusedWithLangChain4jExceptions() {
    UnsupportedFeatureException frequency = assertThrows(UnsupportedFeatureException.class, () -> chat.chat(
        ChatRequest.builder().messages(UserMessage.from("hi")).frequencyPenalty(0.5).build()));
    assertTrue(frequency.getMessage().startsWith("frequencyPenalty is not supported"), frequency.getMessage());
    assertThrows(UnsupportedFeatureException.class, () -> chat.chat(ChatRequest.builder().messages(UserMessage.from("hi"))
        .presencePenalty(0.5).build()));
    UnsupportedFeatureException tools = assertThrows(UnsupportedFeatureException.class, () -> chat.chat(
        ChatRequest.builder().messages(UserMessage.from("hi"))
            .toolSpecifications(ToolSpecification.builder().name("clock").description("the time").build()).build()));
    assertTrue(tools.getMessage().contains("tools"), tools.getMessage());
    InvalidRequestException topP = assertThrows(InvalidRequestException.class, () -> chat.chat(
        ChatRequest.builder().messages(UserMessage.from("hi")).topP(1.5).build()));
    assertTrue(topP.getMessage().contains("top"), topP.getMessage());
  }

  @Test
  void streamingHandsOverPiecesThenTheWholeAnswer() {
    try (DrainStreamingChatModel streaming = DrainStreamingChatModel.builder().model(chatModelOf()).temperature(0)
        .maxOutputTokens(12).build()) {
      List<String> pieces = new ArrayList<>();
      AtomicReference<ChatResponse> done = new AtomicReference<>();
      streaming.chat("Once upon a time", new StreamingChatResponseHandler() {
        @Override
        public void onPartialResponse(String partial) {
          pieces.add(partial);
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
          done.set(response);
        }

        @Override
        public void onError(Throwable error) {
          throw new AssertionError(error);
        }
      });
      assertTrue(pieces.size() > 5, "pieces: " + pieces);
      assertEquals(", there was a little girl named Lily. She", String.join("", pieces));
      assertEquals(String.join("", pieces), done.get().aiMessage().text());
    }
  }

  @Test
  void embeddingsMatchTheReferenceAndRefuseTooLongSegments() {
    float[] v = embeddings.embed("Hello world").content().vector();
    assertEquals(384, embeddings.dimension());
    assertEquals(-0.03447731f, v[0], 1e-5f);
    assertEquals(0.031023193f, v[1], 1e-5f);
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> embeddings.embed("word ".repeat(300)));
    assertTrue(e.getMessage().contains("302 tokens"), e.getMessage());
  }

  @Test
  void ragFlowRetrievesTheRightSegmentAndAugmentsThePrompt() {
    InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
    EmbeddingStoreIngestor.builder().documentSplitter(DocumentSplitters.recursive(120, 0)).embeddingModel(embeddings)
        .embeddingStore(store).build().ingest(List.of(
            Document.from("The lighthouse keeper lit the lamp every evening at seven."),
            Document.from("Bananas are rich in potassium and grow in tropical climates."),
            Document.from("The train to the mountains leaves from platform four.")));
    EmbeddingStoreContentRetriever retriever = EmbeddingStoreContentRetriever.builder().embeddingStore(store)
        .embeddingModel(embeddings).maxResults(1).build();
    List<Content> found = retriever.retrieve(Query.from("Which fruit has a lot of potassium?"));
    assertEquals(1, found.size());
    assertTrue(found.get(0).textSegment().text().startsWith("Bananas"), found.get(0).textSegment().text());

    List<String> prompts = new ArrayList<>();
    DrainChatModel recording = DrainChatModel.builder().model(chatModelOf()).temperature(0).maxOutputTokens(4).build();
    Storyteller assistant = AiServices.builder(Storyteller.class)
        .chatModel(new dev.langchain4j.model.chat.ChatModel() {
          @Override
          public ChatResponse doChat(ChatRequest request) {
            prompts.add(((UserMessage) request.messages().get(request.messages().size() - 1)).singleText());
            return recording.doChat(request);
          }
        })
        .contentRetriever(retriever).build();
    String answer = assistant.continueStory("Which fruit has a lot of potassium?");
    assertTrue(!answer.isEmpty(), "an answer");
    assertTrue(prompts.get(0).contains("Bananas are rich in potassium"), prompts.get(0));
  }
}
