package tips.drain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tips.drain.testing.TestData;

/** {@code drain embed} with all-MiniLM-L6-v2: tables, JSON lines, stdin, and the too-long error. */
class EmbedCommandTest {

  private static String miniLm() {
    return TestData.model("all-MiniLM-L6-v2").toString();
  }

  @Test
  void tablesShowVectorsAndTheQuickStartSimilarities() {
    CliTest.Result r = CliTest.run("embed", "--model", miniLm(), "--threads", "1", "The weather is lovely today.",
        "It's so sunny outside!", "He drove to the stadium.");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("(384)"), r.out());
    // the similarity table: row 0 against 1 and 2
    assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s*0\\s+1\\.0000\\s+0\\.66\\d\\d\\s+0\\.10\\d\\d")), r.out());
    assertTrue(r.err().contains("3 texts") && r.err().contains("mean pooling, normalized"), r.err());
  }

  @Test
  void jsonLinesFromStdin() throws Exception {
    EmbedCommand command = new EmbedCommand();
    command.stdin = new ByteArrayInputStream("\"Hello world\"\n\"second\"\n".getBytes(StandardCharsets.UTF_8));
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    assertEquals(0, cli.execute("--model", miniLm(), "--jsonl", "--threads", "1"));
    String[] lines = out.toString().split("\n");
    assertEquals(2, lines.length);
    JsonNode first = new ObjectMapper().readTree(lines[0]);
    assertEquals(0, first.get("index").asInt());
    assertEquals(4, first.get("tokens").asInt());
    assertEquals(384, first.get("embedding").size());
    assertEquals(-0.03447731, first.get("embedding").get(0).asDouble(), 1e-5);
  }

  @Test
  void aTooLongTextFailsNamingItsTokenCountUnlessTruncated() {
    String text = "word ".repeat(300);
    CliTest.Result r = CliTest.run("embed", "--model", miniLm(), "--threads", "1", text);
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("drain: the text is 302 tokens, more than the 256 of "), r.err());
    CliTest.Result cut = CliTest.run("embed", "--model", miniLm(), "--threads", "1", "--truncate", "--jsonl", text);
    assertEquals(0, cut.code(), cut.err());
    assertTrue(cut.out().contains("\"tokens\":256"), cut.out());
  }

  @Test
  void aDecoderIsNotAnEmbeddingModel() {
    CliTest.Result r = CliTest.run("embed", "--model", TestData.model("stories260K").toString(), "hello");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("model_type 'llama' is a text generator (decoder), not an embedding model"), r.err());
  }
}
