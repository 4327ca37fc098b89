package tips.drain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tips.drain.hub.RemoteFile;
import tips.drain.hub.RepoListing;
import tips.drain.hub.RepoRef;

class PullCommandTest {
  private static String simulate(boolean terminal) {
    StringWriter s = new StringWriter();
    PullProgress p = new PullProgress(new PrintWriter(s, true), terminal);
    List<RemoteFile> files = List.of(new RemoteFile("config.json", 100, null), new RemoteFile("model.safetensors", 4000, "a"));
    p.started(new RepoListing(RepoRef.parse("acme/tiny"), "0123456789abcdef".repeat(2) + "01234567", files), files, 4100, 100);
    p.fileFinished("config.json", 100, false);
    p.fileStarted("model.safetensors", 4000, 1000);
    for (long done = 1000; done <= 4000; done += 500) {
      p.fileProgress("model.safetensors", done, 4000);
    }
    p.retrying("model.safetensors", "HTTP 429", 1, Duration.ofMillis(1500));
    p.verifying("model.safetensors", 4000);
    p.fileFinished("model.safetensors", 4000, true);
    return s.toString();
  }

  @Test
  void plainLinesWhenNotATerminal() {
    String[] lines = simulate(false).split("\n");
    assertEquals("pulling acme/tiny (commit 0123456789ab): 2 file(s), 4.0 KiB, 100 B already cached", lines[0]);
    assertEquals("[1/2] config.json: 100 B (cached)", lines[1]);
    assertEquals("[2/2] model.safetensors: 3.9 KiB, resuming at 1000 B", lines[2]);
    assertTrue(lines[3].startsWith("[2/2] model.safetensors: 25%") || lines[3].startsWith("[2/2] model.safetensors: 50%"),
        lines[3]);
    assertTrue(lines[lines.length - 2].equals("model.safetensors: HTTP 429; retry 1 in 1.5 s"), lines[lines.length - 2]);
    assertTrue(lines[lines.length - 1].startsWith("[2/2] model.safetensors: 3.9 KiB (downloaded, "), lines[lines.length - 1]);
    assertTrue(simulate(false).chars().noneMatch(c -> c == '\r'), "no carriage returns in a log");
  }

  @Test
  void oneRedrawnLineWithFileAndOverallBarsOnATerminal() {
    String out = simulate(true);
    assertTrue(out.contains("\r[2/2] model.safetensors [" + "#".repeat(24) + "] 100%  3.9 KiB/3.9 KiB"), out);
    assertTrue(out.contains("| all 100%  4.0 KiB/4.0 KiB"), out);
  }

  @Test
  void aBadRepositoryIdIsAUsageError() {
    CliTest.Result r = CliTest.run("pull", "not-a-repo");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("'not-a-repo' is not a hub repository id; expected ORG/NAME"), r.err());
  }
}
