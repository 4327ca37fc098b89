package tips.drain.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.io.SafetensorsWriter;

/** Slots, the queue and adapters: outputs do not depend on how many run at once. */
class ConcurrencyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static String body(int i, String model) {
    String sampling = i % 2 == 0 ? "\"temperature\":0" : "\"temperature\":0.9,\"seed\":" + (100 + i);
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time " + i
        + "\"}],\"max_tokens\":" + (12 + i % 5 * 4) + "," + sampling + (i % 3 == 0 ? ",\"stream\":true" : "") + "}";
  }

  private static String text(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
      return Sse.parse(r.body()).chatText();
    }
    return JSON.readTree(r.body()).get("choices").get(0).get("message").get("content").asText();
  }

  /** The texts of {@code count} requests sent {@code clients} at a time. */
  private static List<String> run(DrainServer server, int count, int clients, String model) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        futures.add(pool.submit(() -> text(TestServer.post(server, "/v1/chat/completions", body(n, model)))));
      }
      List<String> texts = new ArrayList<>();
      for (Future<String> f : futures) {
        texts.add(f.get());
      }
      return texts;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void severalSlotsTimesRequestsGiveIdenticalOutputs() throws Exception {
    List<String> reference;
    try (DrainServer one = TestServer.start(TestServer.source(), TestServer.options().withParallel(1))) {
      reference = run(one, 12, 1, "stories260K");
    }
    for (int slots : new int[] {2, 4}) {
      try (DrainServer server = TestServer.start(TestServer.source(), TestServer.options().withParallel(slots))) {
        for (int clients : new int[] {slots, 6}) {
          assertEquals(reference, run(server, 12, clients, "stories260K"), slots + " slots, " + clients + " clients");
        }
      }
    }
  }

  @Test
  void aFullQueueIsRefusedWith503() throws Exception {
    try (DrainServer server = TestServer.start(TestServer.source(),
        TestServer.options().withParallel(1).withQueueSize(1))) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          futures.add(pool.submit(() -> TestServer.post(server, "/v1/completions",
              "{\"prompt\":\"Once\",\"max_tokens\":400,\"temperature\":0}")));
        }
        int ok = 0;
        int busy = 0;
        for (Future<HttpResponse<String>> f : futures) {
          HttpResponse<String> r = f.get();
          if (r.statusCode() == 200) {
            ok++;
          } else {
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("queue_full", JSON.readTree(r.body()).get("error").get("code").asText());
            busy++;
          }
        }
        assertTrue(ok >= 1 && busy >= 1, ok + " answered, " + busy + " refused");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** A rank-4 PEFT adapter on every layer's q_proj and v_proj of stories260K, random but fixed. */
  private static Path adapter(Path dir, long seed) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,"
        + "\"target_modules\":[\"q_proj\",\"v_proj\"],\"bias\":\"none\",\"task_type\":\"CAUSAL_LM\"}");
    Random random = new Random(seed);
    SafetensorsWriter w = new SafetensorsWriter();
    for (int layer = 0; layer < 5; layer++) {
      for (String m : new String[] {"q_proj", "v_proj"}) {
        int out = m.equals("q_proj") ? 64 : 32;
        String p = "base_model.model.model.layers." + layer + ".self_attn." + m;
        w.addF32(p + ".lora_A.weight", new long[] {4, 64}, gaussian(random, 4 * 64));
        w.addF32(p + ".lora_B.weight", new long[] {out, 4}, gaussian(random, out * 4));
      }
    }
    w.write(dir.resolve("adapter_model.safetensors"));
    return dir;
  }

  private static float[] gaussian(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextGaussian() * 0.5);
    }
    return v;
  }

  @Test
  void adaptersAreServedAsModelsBesideTheBase() throws Exception {
    ModelSource source = TestServer.source().withAdapter("sql", adapter(tmp.resolve("sql"), 1))
        .withAdapter("poet", adapter(tmp.resolve("poet"), 2));
    try (DrainServer server = TestServer.start(source, TestServer.options())) {
      JsonNode models = JSON.readTree(TestServer.get(server, "/v1/models").body()).get("data");
      assertEquals(3, models.size());
      assertEquals(List.of("stories260K", "sql", "poet"),
          List.of(models.get(0).get("id").asText(), models.get(1).get("id").asText(), models.get(2).get("id").asText()));
      List<String> base = run(server, 6, 3, "stories260K");
      List<String> sql = run(server, 6, 3, "sql");
      List<String> poet = run(server, 6, 3, "poet");
      assertNotEquals(base, sql);
      assertNotEquals(sql, poet);
      // interleaved on the same slots, each adapter still gives its own outputs
      assertEquals(sql, run(server, 6, 6, "sql"));
      assertEquals(base, run(server, 6, 6, "stories260K"));
      HttpResponse<String> r = TestServer.post(server, "/v1/chat/completions", body(1, "sql"));
      assertEquals("sql", JSON.readTree(r.body()).get("model").asText());
    }
  }
}
