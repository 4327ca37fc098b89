package tips.drain.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.api.LoadOptions;
import tips.drain.testing.TestData;

/**
 * While the model loads, the server already answers: {@code /health} and the API say 503. The load is held back
 * by a named pipe in place of config.json, which the test fills when it is done looking.
 */
class LoadingTest {
  @TempDir Path dir;

  @Test
  void healthIs503WhileTheModelLoadsThen200() throws Exception {
    Path stories = TestData.model("stories260K");
    for (String f : new String[] {"model.safetensors", "tokenizer.json", "tokenizer_config.json",
        "generation_config.json"}) {
      Files.createSymbolicLink(dir.resolve(f), stories.resolve(f));
    }
    Path config = dir.resolve("config.json");
    Process mkfifo = new ProcessBuilder("mkfifo", config.toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor(), "mkfifo");
    DrainServer server = DrainServer.start(ModelSource.load(dir, LoadOptions.defaults().withThreads(1)),
        TestServer.options());
    try {
      var health = TestServer.get(server, "/health");
      assertEquals(503, health.statusCode(), health.body());
      assertEquals("loading", new ObjectMapper().readTree(health.body()).get("error").get("code").asText());
      assertEquals(503, TestServer.get(server, "/v1/models").statusCode());
      assertEquals(503, TestServer.post(server, "/v1/completions", "{\"prompt\":\"Hi\"}").statusCode());
      assertFalse(server.isReady());
      try (OutputStream out = Files.newOutputStream(config)) { // the loader is blocked reading the pipe
        out.write(Files.readAllBytes(stories.resolve("config.json")));
      }
      server.awaitReady(Duration.ofSeconds(60));
      assertEquals(200, TestServer.get(server, "/health").statusCode());
    } finally {
      server.close();
    }
  }
}
