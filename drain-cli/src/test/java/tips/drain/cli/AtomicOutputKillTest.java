package tips.drain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.io.AtomicDirectory;
import tips.drain.io.SafetensorsWriter;

/**
 * {@code drain quantize --force} killed (SIGKILL) at random moments in a child JVM: after each kill, the output
 * directory holds exactly the previous output or exactly the complete new one, never a mix, a half-written file or
 * nothing at all (once the next run has tidied what the kill left beside it).
 */
class AtomicOutputKillTest {
  private static final int KILLS = 6;

  @TempDir Path dir;

  /** A model made here: a few matrices (16 MB of F32, so writing takes a while) and the files copied with it. */
  private Path model() throws IOException {
    Path m = Files.createDirectories(dir.resolve("model"));
    SafetensorsWriter w = new SafetensorsWriter();
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 8; i++) {
      float[] values = new float[512 * 1024];
      for (int k = 0; k < values.length; k++) {
        values[k] = (float) r.nextGaussian();
      }
      w.addF32("model.layers." + i + ".mlp.up_proj.weight", new long[] {512, 1024}, values);
    }
    w.addF32("model.norm.weight", new long[] {1024}, new float[1024]);
    w.write(m.resolve("model.safetensors"));
    Files.writeString(m.resolve("config.json"), "{\"model_type\": \"llama\"}");
    Files.writeString(m.resolve("tokenizer.json"), "{}");
    return m;
  }

  /** Every file under {@code d} by relative path, with its SHA-256; empty when {@code d} does not exist. */
  private static Map<String, String> snapshot(Path d) throws Exception {
    Map<String, String> files = new TreeMap<>();
    if (!Files.exists(d)) {
      return files;
    }
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        files.put(d.relativize(p).toString(), HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
      }
    }
    return files;
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }

  private static void delete(Path d) throws IOException {
    if (Files.exists(d)) {
      try (Stream<Path> s = Files.walk(d)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static Process quantize(Path model, Path out) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", classPath, Main.class.getName(), "quantize",
        "--model", model.toString(), "--quant", "q8_0", "--out", out.toString(), "--force", "--threads", "1")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  @Test
  void aKilledQuantizeLeavesThePreviousOutputOrTheNewOneNeverAMix() throws Exception {
    Path model = model();
    Path previous = dir.resolve("previous");
    Path complete = dir.resolve("complete");
    assertEquals(0, CliTest.run("quantize", "--model", model.toString(), "--quant", "q4_0", "--out", previous.toString()).code());
    long t0 = System.nanoTime();
    Process full = quantize(model, complete);
    long writingFrom = 0;
    try (InputStream err = full.getErrorStream()) {
      byte[] buf = new byte[4096];
      StringBuilder seen = new StringBuilder();
      for (int n; (n = err.read(buf)) > 0; ) {
        seen.append(new String(buf, 0, n));
        if (writingFrom == 0 && seen.indexOf("quantizing") >= 0) {
          writingFrom = System.nanoTime();
        }
      }
    }
    assertEquals(0, full.waitFor(), "an uninterrupted run in a child JVM");
    long end = System.nanoTime();
    long fullMillis = (end - t0) / 1_000_000;
    // how long the writing lasts once the progress bar shows: kills aimed inside it land while writing
    long writingMillis = Math.max(1, (end - writingFrom) / 1_000_000);
    Map<String, String> before = snapshot(previous);
    Map<String, String> after = snapshot(complete);
    assertTrue(!before.equals(after) && before.containsKey("model.safetensors"));

    Path out = dir.resolve("out");
    copy(previous, out);
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    List<String> outcomes = new ArrayList<>();
    int killedWhileWriting = 0;
    for (int i = 0; i < KILLS; i++) {
      Process p = quantize(model, out);
      // kill at a random moment after the progress bar's first output (the writing has begun), or, every third
      // time, at a random moment from the start to a little after an uninterrupted run would have ended
      CountDownLatch writing = new CountDownLatch(1);
      Thread reader = Thread.ofVirtual().start(() -> {
        try (InputStream err = p.getErrorStream()) {
          byte[] buf = new byte[4096];
          StringBuilder seen = new StringBuilder();
          for (int n; (n = err.read(buf)) > 0; ) {
            seen.append(new String(buf, 0, n));
            if (seen.indexOf("quantizing") >= 0) {
              writing.countDown();
            }
          }
        } catch (IOException ignored) {
          // the process was killed
        }
      });
      boolean fromStart = i % 3 == 2;
      if (!fromStart && !writing.await(60, TimeUnit.SECONDS)) {
        fail("the child never started writing (seed " + seed + ")");
      }
      Thread.sleep(fromStart ? random.nextLong(fullMillis * 5 / 4) : random.nextLong(Math.max(1, writingMillis / 2)));
      p.destroyForcibly();
      p.waitFor();
      reader.join();

      Map<String, String> now = snapshot(out);
      boolean partialLeft;
      try (Stream<Path> s = Files.list(dir)) {
        partialLeft = s.anyMatch(f -> f.getFileName().toString().startsWith(".out.partial-"));
      }
      if (partialLeft) {
        killedWhileWriting++;
      }
      String where = "kill " + i + " (seed " + seed + ")";
      if (!now.isEmpty() && !now.equals(before) && !now.equals(after)) {
        fail(where + ": a mix of old and new output: " + now.keySet());
      }
      AtomicDirectory.recover(out);
      Map<String, String> recovered = snapshot(out);
      String outcome = recovered.equals(before) ? "previous" : recovered.equals(after) ? "new" : null;
      if (outcome == null) {
        fail(where + ": after recovery neither the previous nor the new output: " + recovered.keySet());
      }
      try (Stream<Path> s = Files.list(dir)) {
        assertEquals(List.of("complete", "model", "out", "previous"),
            s.map(f -> f.getFileName().toString()).sorted().toList(), where + ": nothing left beside the output");
      }
      outcomes.add(outcome);
      if (outcome.equals("new")) {
        delete(out);
        copy(previous, out);
      }
    }
    System.out.println("AtomicOutputKillTest: " + KILLS + " kills (seed " + seed + ", a whole run " + fullMillis + " ms): "
        + outcomes + ", "
        + killedWhileWriting + " while writing");
    assertTrue(killedWhileWriting > 0, "no kill landed while the output was being written: " + outcomes);
  }
}
