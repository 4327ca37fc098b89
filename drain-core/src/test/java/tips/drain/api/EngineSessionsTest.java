package tips.drain.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tips.drain.engine.EngineBusyException;
import tips.drain.engine.EngineCounters;
import tips.drain.engine.EngineOptions;
import tips.drain.testing.TestData;

/** The engine under sessions: cancellation frees the slot, admission refuses cleanly, prefixes are reused. */
class EngineSessionsTest {

  private static LanguageModel load(EngineOptions engine) {
    return LanguageModel.load(TestData.model("stories260K"), LoadOptions.defaults().withThreads(2).withTokenizer(false)
        .withEngine(engine));
  }

  private static int[] ids(int n, int seed) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = 1 + (i * 31 + seed * 17) % 500;
    }
    return ids;
  }

  private static GenerationOptions tokens(int n) {
    return GenerationOptions.defaults().withMaxTokens(n).withStopOnEos(false);
  }

  @Test
  void cancellingDuringPrefillEndsAtTheNextStepAndFreesTheSlot() throws Exception {
    // four tokens per step: a 400-token prompt takes 100 steps, cancelled after the first few
    try (LanguageModel model = load(EngineOptions.defaults().withSlots(1).withQueue(0).withStepTokens(4))) {
      Session session = model.newSession(SessionOptions.defaults().withContextLength(512));
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<GenerationResult> running = pool.submit(() -> session.generate(ids(400, 1), tokens(10), TokenListener.NONE));
        while (model.engine().counters().computedTokens() < 8) {
          Thread.sleep(1);
        }
        session.cancel();
        GenerationResult r = running.get(30, TimeUnit.SECONDS);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(0, r.generatedIds().length);
        EngineCounters.Snapshot c = model.engine().counters();
        assertTrue(c.computedTokens() < 400, "stopped within the prompt: " + c.computedTokens() + " computed");
        assertEquals(0, c.activeSequences(), "the slot is free again");
      } finally {
        pool.shutdown();
      }
      // the one slot serves the next request at once (a queue of 0 would refuse it otherwise)
      try (Session next = model.newSession()) {
        assertEquals(FinishReason.LENGTH, next.generate(ids(5, 2), tokens(3), TokenListener.NONE).finishReason());
      }
    }
  }

  @Test
  void cancellingDuringDecodeStopsAfterTheCurrentToken() throws Exception {
    try (LanguageModel model = load(EngineOptions.defaults())) {
      Session session = model.newSession();
      GenerationResult r = session.generate(ids(5, 3), tokens(200), (id, text) -> {
        if (id >= 0) {
          session.cancel();
        }
      });
      assertEquals(FinishReason.CANCELLED, r.finishReason());
      assertEquals(1, r.generatedIds().length);
      assertEquals(0, model.engine().counters().activeSequences());
    }
  }

  @Test
  void aFullQueueRefusesWithoutRunningAnything() throws Exception {
    try (LanguageModel model = load(EngineOptions.defaults().withSlots(1).withQueue(0))) {
      CountDownLatch generating = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Session busy = model.newSession();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<GenerationResult> first = pool.submit(() -> busy.generate(ids(5, 4), tokens(3), (id, text) -> {
          generating.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
        generating.await();
        long computed = model.engine().counters().computedTokens();
        Session refused = model.newSession();
        EngineBusyException e = assertThrows(EngineBusyException.class,
            () -> refused.generate(ids(7, 5), tokens(3), TokenListener.NONE));
        assertTrue(e.getMessage().contains("all 1 slots are busy"), e.getMessage());
        assertEquals(0, refused.position(), "nothing of the refused request ran");
        assertEquals(computed, model.engine().counters().computedTokens());
        assertEquals(1, model.engine().counters().refused());
        release.countDown();
        assertEquals(3, first.get(30, TimeUnit.SECONDS).generatedIds().length);
        // with the slot free again, the same request runs
        assertEquals(3, refused.generate(ids(7, 5), tokens(3), TokenListener.NONE).generatedIds().length);
      } finally {
        release.countDown();
        pool.shutdown();
      }
    }
  }

  @Test
  void aCacheOverTheKvBudgetIsRefused() {
    try (LanguageModel model = load(EngineOptions.defaults().withKvBudgetBytes(1 << 16))) {
      Session session = model.newSession(SessionOptions.defaults().withContextLength(512));
      EngineBusyException e = assertThrows(EngineBusyException.class,
          () -> session.generate(ids(5, 6), tokens(3), TokenListener.NONE));
      assertTrue(e.getMessage().contains("KV budget"), e.getMessage());
      assertEquals(0, session.position());
    }
  }

  @Test
  void aRequestStartingWithCachedIdsReusesThem() {
    try (LanguageModel model = load(EngineOptions.defaults().withSlots(2))) {
      int[] system = ids(60, 7);
      int[] question = ids(9, 8);
      int[] prompt = Arrays.copyOf(system, system.length + question.length);
      System.arraycopy(question, 0, prompt, system.length, question.length);
      GenerationResult first;
      try (Session a = model.newSession()) {
        first = a.generate(system, tokens(4), TokenListener.NONE);
        assertEquals(0, first.stats().cachedTokens());
      }
      long before = model.engine().counters().computedTokens();
      GenerationResult second;
      try (Session b = model.newSession()) {
        second = b.generate(prompt, tokens(4), TokenListener.NONE);
      }
      long computed = model.engine().counters().computedTokens() - before;
      assertEquals(system.length, second.stats().cachedTokens(), "the system prompt came from the cache");
      // the question, then 3 fed generated tokens (the 4th is sampled, not fed)
      assertEquals(question.length + 3, computed, "only the new ids were computed");
      // and the answer is the one a fresh computation gives
      try (LanguageModel fresh = load(EngineOptions.defaults()); Session c = fresh.newSession()) {
        assertArrayEquals(c.generate(prompt, tokens(4), TokenListener.NONE).generatedIds(), second.generatedIds());
      }
    }
  }

  @Test
  void aSessionContinuesItsConversationFromItsSlot() {
    try (LanguageModel model = load(EngineOptions.defaults()); Session s = model.newSession()) {
      s.generate(ids(20, 9), tokens(5), TokenListener.NONE);
      long before = model.engine().counters().computedTokens();
      GenerationResult second = s.generate(ids(6, 10), tokens(2), TokenListener.NONE);
      // the pending last token and the 6 new ids, then 1 fed generated token
      assertEquals(1 + 6 + 1, model.engine().counters().computedTokens() - before);
      assertEquals(0, second.stats().cachedTokens(), "a session's own history is not a cached prompt");
    }
  }
}
