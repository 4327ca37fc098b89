package tips.drain.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.tensor.DType;

/** The serving benchmark runs end to end on a small synthetic model (what it measures is not checked here). */
class ServingBenchmarkTest {
  @TempDir Path dir;

  @Test
  void printsOneRowPerClientCountWithTheRatioToOneClient() throws Exception {
    SyntheticModel.write(SyntheticModel.MINI, DType.BF16, dir);
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ServingBenchmark.main(new String[] {"--model", dir.toString(), "--threads", "1", "--clients", "1,3",
          "--prompt-tokens", "16", "--gen-tokens", "6", "--requests", "2"});
    } finally {
      System.setOut(stdout);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("library Session (no HTTP)"), out);
    assertTrue(out.matches("(?s).*\\| 1 \\| [0-9.]+ \\| 1\\.00 \\|.*"), out);
    assertTrue(out.matches("(?s).*\\| 3 \\| [0-9.]+ \\| [0-9.]+ \\|.*"), out);
    assertEquals(2, out.lines().filter(l -> l.matches("\\| \\d+ \\|.*")).count(), out);
  }
}
