package tips.drain.bench.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tips.drain.tokenizer.Tokenizer;

/**
 * Encode throughput on about 1 MB of English: {@code eval/stories.txt} repeated. Read the {@code mb}
 * secondary result: MB (10^6 bytes of UTF-8 input) encoded per second (its unit shows as {@code ops/s}).
 *
 * <p>{@code encode} runs with the tokenizer's word cache warm (every word of the repeated text is cached after
 * the first pass, as in long-running use); {@code encodeFirstTime} times one encode with a freshly loaded
 * tokenizer (cold cache). Data: {@code -Ddrain.testdata=DIR} (default: env DRAIN_TESTDATA, else ../shared),
 * text {@code -Ddrain.bench.text=FILE}.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TokenizerBenchmark {

  /** The shared tokenizer directory names. */
  @State(Scope.Benchmark)
  public static class Input {
    @Param({"llama3", "mistral-v1", "qwen3", "gemma3"})
    public String tokenizer;

    @Param({"1000000"})
    public int bytes;

    Path dir;
    String text;
    long utf8Bytes;

    @Setup(Level.Trial)
    public void read() {
      Path root = dataRoot();
      dir = root.resolve("tokenizers").resolve(tokenizer);
      Path file = Path.of(System.getProperty("drain.bench.text", root.resolve("eval/stories.txt").toString()));
      String story;
      try {
        story = Files.readString(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read benchmark text " + file, e);
      }
      StringBuilder sb = new StringBuilder(bytes + story.length());
      while (sb.length() < bytes) {
        sb.append(story).append('\n');
      }
      text = sb.toString();
      utf8Bytes = text.getBytes(StandardCharsets.UTF_8).length;
    }
  }

  /** A tokenizer loaded once per trial: its word cache warms up during warmup. */
  @State(Scope.Benchmark)
  public static class Warm {
    Tokenizer tokenizer;

    @Setup(Level.Trial)
    public void load(Input input) {
      tokenizer = Tokenizer.load(input.dir);
      check(tokenizer, input);
    }
  }

  /** A tokenizer loaded before every iteration: its word cache starts empty. */
  @State(Scope.Benchmark)
  public static class Cold {
    Tokenizer tokenizer;

    @Setup(Level.Iteration)
    public void load(Input input) {
      tokenizer = Tokenizer.load(input.dir);
    }
  }

  /** Input bytes encoded, as a rate: the secondary result {@code mb} is MB/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Megabytes {
    public double mb;

    @Setup(Level.Iteration)
    public void reset() {
      mb = 0;
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public int[] encode(Input input, Warm warm, Megabytes counter) {
    int[] ids = warm.tokenizer.encode(input.text, false);
    counter.mb += input.utf8Bytes / 1e6;
    return ids;
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public int[] encodeFirstTime(Input input, Cold cold) {
    return cold.tokenizer.encode(input.text, false);
  }

  /** The text must round-trip, so the benchmark measures a tokenizer that works. */
  static void check(Tokenizer tokenizer, Input input) {
    String sample = input.text.substring(0, 2000);
    String decoded = tokenizer.decode(tokenizer.encode(sample, false), false);
    if (!decoded.strip().equals(sample.strip())) {
      throw new IllegalStateException(input.tokenizer + ": decode(encode(text)) differs from the text");
    }
  }

  static Path dataRoot() {
    String dir = System.getProperty("drain.testdata");
    if (dir == null || dir.isBlank()) {
      dir = System.getenv("DRAIN_TESTDATA");
    }
    if (dir == null || dir.isBlank()) {
      dir = "../shared";
    }
    Path root = Path.of(dir).toAbsolutePath().normalize();
    if (!Files.isDirectory(root.resolve("tokenizers"))) {
      throw new IllegalStateException("no tokenizers under " + root + ": set -Ddrain.testdata=<shared dir>");
    }
    return root;
  }
}
