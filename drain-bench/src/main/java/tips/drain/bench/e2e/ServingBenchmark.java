package tips.drain.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import tips.drain.api.GenerationOptions;
import tips.drain.api.GenerationResult;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.api.TokenListener;
import tips.drain.server.DrainServer;
import tips.drain.server.ModelSource;
import tips.drain.server.ServerOptions;

/**
 * N concurrent streaming clients against an in-process {@code DrainServer} over loopback HTTP, for each N given:
 * every client sends the same number of {@code /v1/completions} requests (a random token-id prompt, greedy,
 * {@code ignore_eos}), one after the other, all clients starting together. Reports per N the aggregate tokens per
 * second (all generated tokens over the round's wall time), the sum and mean of the requests' decode rates (after
 * their first token), time to first token p50/p99, and the aggregate's ratio to one client in the same run; and,
 * as the baseline, one library {@code Session} on the same model without HTTP.
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp drain-bench/target/drain-bench.jar tips.drain.bench.e2e.ServingBenchmark \
 *       --model models/tinyllama-synthetic-bf16 --threads 2 --clients 1,4,8 [--quant q4_0]
 * </pre>
 */
public final class ServingBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as its client saw it: nanosecond times of sending, first token and last token, and its tokens. */
  record Sample(long sent, long first, long last, int tokens) {
    double ttftSeconds() {
      return (first - sent) / 1e9;
    }

    double decodeTokensPerSecond() {
      return last > first && tokens > 1 ? (tokens - 1) * 1e9 / (last - first) : 0;
    }
  }

  /** The options of a run. */
  record Args(Path model, String quant, int threads, int[] clients, int promptTokens, int genTokens, int requests) {
    static Args parse(String[] args) {
      Path model = null;
      String quant = null;
      int threads = Runtime.getRuntime().availableProcessors();
      int[] clients = {1, 4, 8};
      int prompt = 128;
      int gen = 64;
      int requests = 1;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--model" -> model = Path.of(args[++i]);
          case "--quant" -> quant = args[++i];
          case "--threads" -> threads = Integer.parseInt(args[++i]);
          case "--clients" -> clients = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
          case "--prompt-tokens" -> prompt = Integer.parseInt(args[++i]);
          case "--gen-tokens" -> gen = Integer.parseInt(args[++i]);
          case "--requests" -> requests = Integer.parseInt(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --model DIR "
              + "[--quant q8_0|q4_0] [--threads N] [--clients 1,4,8] [--prompt-tokens 128] [--gen-tokens 64] "
              + "[--requests 1 (per client)]");
        }
      }
      if (model == null) {
        throw new IllegalArgumentException("--model DIR is required");
      }
      if (Arrays.stream(clients).anyMatch(c -> c < 1) || prompt < 1 || gen < 2 || requests < 1 || threads < 1) {
        throw new IllegalArgumentException("--clients, --prompt-tokens, --requests and --threads must be >= 1, "
            + "--gen-tokens >= 2");
      }
      return new Args(model, quant, threads, clients, prompt, gen, requests);
    }
  }

  private ServingBenchmark() {}

  public static void main(String[] argv) throws Exception {
    Args a = Args.parse(argv);
    LoadOptions load = LoadOptions.defaults().withThreads(a.threads()).withQuantization(a.quant());
    int maxClients = Arrays.stream(a.clients()).max().orElse(1);
    try (LanguageModel model = LanguageModel.load(a.model(), load)) {
      int context = a.promptTokens() + a.genTokens() + 8;
      ServerOptions options = ServerOptions.defaults().withPort(0).withParallel(maxClients).withQueueSize(maxClients)
          .withContextLength(context);
      System.out.printf(Locale.ROOT, "%s, %s weights, %d threads, %s; %d-token prompts, %d tokens each, %d "
          + "request(s) per client%n", a.model().getFileName(), model.storedFormat(), model.threads(),
          model.kernelsName(), a.promptTokens(), a.genTokens(), a.requests());
      double direct = direct(model, a, context);
      try (DrainServer server = DrainServer.start(ModelSource.of(model), options)) {
        server.awaitReady(Duration.ofMinutes(1));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        request(http, server, prompt(new Random(0), a.promptTokens(), model.config().vocabSize()), 4); // warm-up
        System.out.printf("%nlibrary Session (no HTTP), one sequence: decode %.2f tok/s%n%n", direct);
        System.out.println("| clients | aggregate tok/s | x 1 client | sum of decode tok/s | decode tok/s per request"
            + " | TTFT p50 s | TTFT p99 s |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
        double single = 0;
        for (int n : a.clients()) {
          List<Sample> samples = new ArrayList<>();
          long wall = round(http, server, a, n, model.config().vocabSize(), samples);
          int tokens = samples.stream().mapToInt(Sample::tokens).sum();
          double aggregate = tokens * 1e9 / wall;
          if (single == 0) {
            single = n == 1 ? aggregate : 0;
          }
          double perRequest = samples.stream().mapToDouble(Sample::decodeTokensPerSecond).average().orElse(0);
          double[] ttft = samples.stream().mapToDouble(Sample::ttftSeconds).sorted().toArray();
          System.out.printf(Locale.ROOT, "| %d | %.2f | %s | %.2f | %.2f | %.2f | %.2f |%n", n, aggregate,
              single == 0 ? "-" : String.format(Locale.ROOT, "%.2f", aggregate / single), perRequest * n, perRequest,
              percentile(ttft, 0.50), percentile(ttft, 0.99));
        }
      }
    }
  }

  /** Decode tok/s of one library session on the same prompt shape: the ceiling of one client through HTTP. */
  private static double direct(LanguageModel model, Args a, int context) {
    try (Session s = model.newSession(SessionOptions.defaults().withContextLength(context))) {
      int[] prompt = prompt(new Random(1), a.promptTokens(), model.config().vocabSize());
      GenerationOptions o = GenerationOptions.defaults().withMaxTokens(a.genTokens()).withStopOnEos(false);
      s.generate(Arrays.copyOf(prompt, 8), o.withMaxTokens(4), TokenListener.NONE); // warm-up
      s.reset();
      GenerationResult r = s.generate(prompt, o, TokenListener.NONE);
      return r.stats().decodeTokensPerSecond();
    }
  }

  /** Runs {@code n} clients together; returns the round's wall time in ns and adds every request's sample. */
  private static long round(HttpClient http, DrainServer server, Args a, int n, int vocab, List<Sample> out)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<List<Sample>>> clients = new ArrayList<>();
      for (int c = 0; c < n; c++) {
        Random random = new Random(100 + c);
        clients.add(pool.submit(() -> {
          start.await();
          List<Sample> mine = new ArrayList<>();
          for (int r = 0; r < a.requests(); r++) {
            mine.add(request(http, server, prompt(random, a.promptTokens(), vocab), a.genTokens()));
          }
          return mine;
        }));
      }
      long t0 = System.nanoTime();
      start.countDown();
      long end = t0;
      for (Future<List<Sample>> f : clients) {
        for (Sample s : f.get()) {
          out.add(s);
          end = Math.max(end, s.last());
        }
      }
      return end - t0;
    } finally {
      pool.shutdownNow();
    }
  }

  private static int[] prompt(Random random, int length, int vocab) {
    int[] ids = new int[length];
    ids[0] = 1;
    for (int i = 1; i < length; i++) {
      ids[i] = 3 + random.nextInt(vocab - 3);
    }
    return ids;
  }

  /** One streamed completion; the first and last token are when their chunks arrived. */
  static Sample request(HttpClient http, DrainServer server, int[] prompt, int tokens)
      throws IOException, InterruptedException {
    String body = "{\"prompt\":" + Arrays.toString(prompt).replace(" ", "") + ",\"max_tokens\":" + tokens
        + ",\"temperature\":0,\"ignore_eos\":true,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    long sent = System.nanoTime();
    HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
            + "/v1/completions")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode() + ": " + String.join("\n", response.body().toList()));
    }
    long first = 0;
    long last = 0;
    int generated = -1;
    for (String line : (Iterable<String>) response.body()::iterator) {
      if (!line.startsWith("data: {")) {
        continue;
      }
      JsonNode event = JSON.readTree(line.substring(6));
      JsonNode choices = event.path("choices");
      if (choices.size() > 0 && choices.get(0).path("finish_reason").isNull()) {
        long now = System.nanoTime();
        if (first == 0) {
          first = now;
        }
        last = now;
      }
      if (event.has("usage") && !event.get("usage").isNull()) {
        generated = event.get("usage").get("completion_tokens").asInt();
      }
    }
    if (generated != tokens || first == 0) {
      throw new IOException("expected " + tokens + " streamed tokens, the server reported " + generated);
    }
    return new Sample(sent, first, last, generated);
  }

  private static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
