package tips.drain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.DrainException;
import tips.drain.testing.TinyLlama;

/** Cancelling a generation, and what a closed model or session does: a DrainException, never a JDK error. */
class SessionLifecycleTest {
  @TempDir Path dir;

  private LanguageModel load() {
    return LanguageModel.load(TinyLlama.small(3).write(dir.resolve("m")), LoadOptions.defaults().withThreads(1).withTokenizer(false));
  }

  private static final GenerationOptions LONG = GenerationOptions.defaults().withMaxTokens(10_000).withStopOnEos(false);

  @Test
  void cancelFromAnotherThreadStopsTheGenerationAfterTheCurrentToken() {
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      try (LanguageModel m = load(); Session s = m.newSession(SessionOptions.defaults().withContextLength(20_000))) {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicInteger tokensAfterCancel = new AtomicInteger();
        CompletableFuture<GenerationResult> running = CompletableFuture.supplyAsync(() -> s.generate(new int[] {1, 2, 3}, LONG,
            (id, text) -> {
              if (cancelled.getCount() == 0) {
                tokensAfterCancel.incrementAndGet();
              }
              started.countDown();
            }));
        started.await();
        s.cancel();
        cancelled.countDown();
        GenerationResult r = running.join();
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertTrue(r.generatedIds().length < 10_000, "stopped early: " + r.generatedIds().length);
        assertTrue(tokensAfterCancel.get() <= 1, "at most the token in progress: " + tokensAfterCancel.get());

        // the next generation is not cancelled by the old request
        GenerationResult next = s.generate(new int[] {4}, LONG.withMaxTokens(5), TokenListener.NONE);
        assertEquals(FinishReason.LENGTH, next.finishReason());
        assertEquals(5, next.generatedIds().length);
      }
    });
  }

  @Test
  void cancelFromTheListenerStopsAtThatToken() {
    try (LanguageModel m = load(); Session s = m.newSession()) {
      AtomicInteger seen = new AtomicInteger();
      GenerationResult r = s.generate(new int[] {1, 2}, LONG, (id, text) -> {
        if (seen.incrementAndGet() == 3) {
          s.cancel();
        }
      });
      assertEquals(FinishReason.CANCELLED, r.finishReason());
      assertEquals(3, r.generatedIds().length);
    }
  }

  @Test
  void closingTwiceIsHarmlessAndUseAfterCloseSaysSo() {
    LanguageModel m = load();
    Session s = m.newSession();
    s.generate(new int[] {1}, LONG.withMaxTokens(2), TokenListener.NONE);
    m.close();
    m.close();
    assertTrue(m.isClosed());
    DrainException e = assertThrows(DrainException.class, m::newSession);
    assertTrue(e.getMessage().endsWith("model is closed"), e.getMessage());
    DrainException used = assertThrows(DrainException.class,
        () -> s.generate(new int[] {1}, LONG.withMaxTokens(2), TokenListener.NONE));
    assertTrue(used.getMessage().endsWith("model is closed"), used.getMessage());
    assertThrows(DrainException.class, () -> s.feed(new int[] {1}));
    assertThrows(DrainException.class, () -> m.loadAdapter(dir));
  }

  @Test
  void aClosedSessionSaysSo() {
    try (LanguageModel m = load()) {
      Session s = m.newSession();
      s.close();
      s.close();
      DrainException e = assertThrows(DrainException.class,
          () -> s.generate(new int[] {1}, LONG.withMaxTokens(2), TokenListener.NONE));
      assertEquals("session is closed", e.getMessage());
    }
  }
}
