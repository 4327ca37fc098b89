package tips.drain.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bounded load over loopback: many clients, some walking away mid-stream or while queued. Nothing fails, nothing
 * leaks: the metrics come back to no active sequence, an empty queue and no KV cache in use, and the heap stays flat.
 */
class LoadTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static long metric(DrainServer server, String name) throws Exception {
    String body = TestServer.get(server, "/metrics").body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+)$").matcher(body);
    assertTrue(m.find(), name + " in " + body);
    return Long.parseLong(m.group(1));
  }

  private static void awaitIdle(DrainServer server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && (metric(server, "drain_active_sequences") != 0
        || metric(server, "drain_queue_depth") != 0 || metric(server, "drain_kv_cache_used_tokens") != 0)) {
      Thread.sleep(20);
    }
    assertEquals(0, metric(server, "drain_active_sequences"));
    assertEquals(0, metric(server, "drain_queue_depth"));
    assertEquals(0, metric(server, "drain_kv_cache_used_tokens"));
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  /** Runs {@code count} requests from {@code clients} threads; every 5th walks away after two chunks. */
  private static int round(DrainServer server, int count, int clients) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        results.add(pool.submit(() -> {
          String prompt = "{\"role\":\"user\",\"content\":\"Once upon a time " + n + "\"}";
          if (n % 5 == 0) {
            String read = RawClient.postAndHangUp(server, "/v1/chat/completions", "{\"messages\":[" + prompt
                + "],\"max_tokens\":300,\"stream\":true,\"temperature\":0}", "data: ", 2);
            assertTrue(read.startsWith("HTTP/1.1 200"), read);
            return false;
          }
          boolean stream = n % 2 == 0;
          HttpResponse<String> r = TestServer.post(server, "/v1/chat/completions", "{\"messages\":[" + prompt
              + "],\"max_tokens\":12,\"temperature\":0.8,\"seed\":" + n + (stream ? ",\"stream\":true" : "") + "}");
          assertEquals(200, r.statusCode(), r.body());
          if (stream) {
            Sse sse = Sse.parse(r.body());
            assertTrue(sse.done());
          } else {
            assertEquals(12, JSON.readTree(r.body()).get("usage").get("completion_tokens").asInt());
          }
          return true;
        }));
      }
      int answered = 0;
      for (Future<Boolean> f : results) {
        if (f.get(120, TimeUnit.SECONDS)) {
          answered++;
        }
      }
      return answered;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void thirtyTwoClientsThreeHundredRequestsSomeWalkingAwayMidStream() throws Exception {
    try (DrainServer server = TestServer.start(TestServer.source(), TestServer.options().withParallel(4)
        .withQueueSize(64))) {
      round(server, 40, 32);
      awaitIdle(server);
      long before = usedHeap();
      int answered = round(server, 300, 32);
      assertEquals(240, answered);
      awaitIdle(server);
      assertTrue(metric(server, "drain_cancelled_total") > 0, "walking away cancels generation");
      long after = usedHeap();
      assertTrue(after - before < 32L << 20, "heap grew by " + ((after - before) >> 20) + " MiB");
      // every slot is free again: as many requests as slots run at once (the first of them walks away)
      assertEquals(3, round(server, 4, 4));
    }
  }

  @Test
  void aClientThatLeavesWhileQueuedNeverRuns() throws Exception {
    try (DrainServer server = TestServer.start(TestServer.source(), TestServer.options().withParallel(1))) {
      String holder = "{\"prompt\":[1,2,3,4,5],\"max_tokens\":450,\"temperature\":0,\"stop\":[\"zzzz\"]}";
      ExecutorService pool = Executors.newFixedThreadPool(6);
      try {
        List<Future<HttpResponse<String>>> holders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          holders.add(pool.submit(() -> TestServer.post(server, "/v1/completions", holder)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (metric(server, "drain_active_sequences") == 0 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        StringBuilder ids = new StringBuilder("[1");
        for (int i = 0; i < 99; i++) {
          ids.append(",").append(10 + i);
        }
        String read = RawClient.postAndHangUp(server, "/v1/completions",
            "{\"prompt\":" + ids + "],\"max_tokens\":5,\"stream\":true}", ": ping", 1);
        assertTrue(read.contains(": ping"), read);
        for (Future<HttpResponse<String>> h : holders) {
          assertEquals(200, h.get(60, TimeUnit.SECONDS).statusCode());
        }
        awaitIdle(server);
        assertEquals(1, metric(server, "drain_cancelled_total"));
        assertEquals(6 * 5, metric(server, "drain_prompt_tokens_total"), "the request that left never ran");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static void assertThrowsIo(Executable call) {
    assertThrows(IOException.class, call);
  }

  @Test
  void stopLetsRunningRequestsFinishAndRefusesNewOnes() throws Exception {
    DrainServer server = TestServer.start(TestServer.source(), TestServer.options().withParallel(2));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<HttpResponse<String>> running = pool.submit(() -> TestServer.post(server, "/v1/completions",
          "{\"prompt\":\"Once\",\"max_tokens\":300,\"temperature\":0}"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (metric(server, "drain_active_sequences") == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread stopper = Thread.ofPlatform().start(() -> server.stop(Duration.ofSeconds(30)));
      HttpResponse<String> health = TestServer.get(server, "/health");
      while (health.statusCode() == 200 && System.nanoTime() < deadline) {
        health = TestServer.get(server, "/health");
      }
      assertEquals(503, health.statusCode(), "stopping");
      HttpResponse<String> refused = TestServer.post(server, "/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":2}");
      assertEquals(503, refused.statusCode(), refused.body());
      assertEquals("shutting_down", JSON.readTree(refused.body()).get("error").get("code").asText());
      HttpResponse<String> r = running.get(60, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      stopper.join(30_000);
      assertTrue(!stopper.isAlive(), "stop returned");
      // stopped: nothing listens any more
      assertThrowsIo(() -> TestServer.get(server, "/health"));
    } finally {
      pool.shutdownNow();
      server.close();
    }
  }

  @Test
  void stopWithoutGraceCancelsWhatRuns() throws Exception {
    DrainServer server = TestServer.start(TestServer.source(), TestServer.options().withParallel(1));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<HttpResponse<String>> running = pool.submit(() -> TestServer.post(server, "/v1/completions",
          "{\"prompt\":\"Once\",\"max_tokens\":500,\"ignore_eos\":true,\"temperature\":0}"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (metric(server, "drain_active_sequences") == 0 && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      server.stop(Duration.ZERO);
      HttpResponse<String> r = running.get(30, TimeUnit.SECONDS);
      assertEquals(503, r.statusCode(), r.body());
      assertEquals("shutting_down", JSON.readTree(r.body()).get("error").get("code").asText());
    } finally {
      pool.shutdownNow();
      server.close();
    }
  }
}
