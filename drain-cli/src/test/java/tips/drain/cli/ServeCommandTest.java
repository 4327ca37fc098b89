package tips.drain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.testing.TestData;

/** {@code drain serve} as a process: it serves, and SIGTERM stops it cleanly. */
class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void servesWithAChatTemplateAndStopsOnSigterm() throws Exception {
    Path template = dir.resolve("chat.jinja");
    Files.writeString(template, "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "tips.drain.cli.Main", "serve", "--model", TestData.model("stories260K").toString(), "--port", "0",
        "--threads", "1", "--parallel", "2", "--chat-template", template.toString(), "--api-key", "k",
        "--name", "tiny"));
    Path log = dir.resolve("serve.log");
    // the output goes to a file: destroy() closes the process's pipes
    Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      String url = null;
      Pattern ready = Pattern.compile("ready in .* at (http://127\\.0\\.0\\.1:\\d+)/v1");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (url == null && server.isAlive() && System.nanoTime() < deadline) {
        Matcher m = ready.matcher(Files.readString(log));
        if (m.find()) {
          url = m.group(1);
        } else {
          Thread.sleep(50);
        }
      }
      assertTrue(url != null, Files.readString(log));
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
          .header("Authorization", "Bearer k")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\","
              + "\"content\":\"Once upon a time\"}],\"max_tokens\":12,\"temperature\":0}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode answer = new ObjectMapper().readTree(r.body());
      assertEquals(", there was a little girl named Lily. She", answer.get("choices").get(0).get("message")
          .get("content").asText());
      server.destroy(); // SIGTERM
      assertTrue(server.waitFor(30, TimeUnit.SECONDS), "exits after SIGTERM");
      String output = Files.readString(log);
      assertTrue(output.contains("drain serve: stopped"), output);
      assertEquals(143, server.exitValue(), output); // 128 + SIGTERM, after the shutdown hook ran
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void badAdapterSpecAndOptionsAreUsageErrors() {
    CliTest.Result r = CliTest.run("serve", "--model", TestData.model("stories260K").toString(), "--adapter", "nodir");
    assertEquals(2, r.code(), r.err());
    CliTest.Result p = CliTest.run("serve", "--model", TestData.model("stories260K").toString(), "--parallel", "0");
    assertEquals(2, p.code(), p.err());
    assertTrue(p.err().contains("parallel must be at least 1"), p.err());
  }
}
