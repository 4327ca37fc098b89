package tips.drain.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The npm {@code openai} client (6.x, pinned in src/test/node/package-lock.json) against the server: runs
 * {@code node --test} in src/test/node with the server's address. Needs Node 20+ and {@code npm ci} in that
 * directory (.ci/run does it); without them the test fails, saying so.
 */
class NodeClientTest {
  private static final Path DIR = Path.of("src/test/node");

  @Test
  void theNpmOpenAiClientPassesItsTests() throws Exception {
    assertTrue(Files.isDirectory(DIR.resolve("node_modules/openai")), "the npm openai package is not installed: run "
        + "`npm ci` in drain-server/src/test/node (.ci/run does)");
    try (DrainServer server = TestServer.start(TestServer.source(), TestServer.options().withApiKey("node-key"))) {
      Path log = Files.createTempFile("drain-node-test", ".tap");
      ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-reporter=tap").directory(DIR.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("DRAIN_SERVER_URL", server.baseUrl());
      pb.environment().put("DRAIN_API_KEY", "node-key");
      Process node = pb.start();
      boolean finished = node.waitFor(120, TimeUnit.SECONDS);
      if (!finished) {
        node.destroyForcibly();
      }
      String report = Files.readString(log, StandardCharsets.UTF_8);
      Files.delete(log);
      assertTrue(finished, "node --test did not finish within 120 s:\n" + report);
      assertEquals(0, node.exitValue(), report);
      assertTrue(report.contains("# pass 5") && report.contains("# fail 0"), report);
    }
  }
}
