package tips.drain.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tips.drain.DrainException;
import tips.drain.api.LoadOptions;
import tips.drain.api.ModelLocator;
import tips.drain.server.DrainServer;
import tips.drain.server.ModelSource;
import tips.drain.server.ServerOptions;
import tips.drain.template.ChatTemplate;
import tips.drain.tokenizer.TokenizerConfig;

/**
 * {@code drain serve}: an OpenAI-compatible HTTP server over a model and its LoRA adapters, until SIGTERM or
 * Ctrl-C, which stop it gracefully.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve a model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, "
        + "/v1/models, /health, /tokenize, /detokenize, /metrics).",
        "SIGTERM or Ctrl-C stop it: no new requests, running ones finish (or are cancelled after --shutdown-timeout)."})
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
      description = "Model directory, or a name found in models/ or DRAIN_MODEL_PATH.")
  String model;

  @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
  Integer threads;

  @Option(names = "--quant", paramLabel = "FORMAT", description = "Quantize weights on load: q8_0 or q4_0.")
  String quant;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for all).")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = {"-np", "--parallel"}, defaultValue = "4", paramLabel = "N",
      description = "Requests generated at once (default: ${DEFAULT-VALUE}); more wait in the queue.")
  int parallel;

  @Option(names = "--queue", defaultValue = "64", paramLabel = "N",
      description = "Requests that may wait for a slot; more are refused with 503 (default: ${DEFAULT-VALUE}).")
  int queue;

  @Option(names = {"-c", "--context"}, defaultValue = "0", paramLabel = "N",
      description = "Context length of each slot (default: the model's, at most 4096).")
  int context;

  @Option(names = "--api-key", paramLabel = "KEY",
      description = "Require this key (Authorization: Bearer KEY or X-Api-Key). Default: $DRAIN_API_KEY, else none.")
  String apiKey;

  @Option(names = "--adapter", paramLabel = "NAME=DIR",
      description = "Serve a PEFT LoRA adapter as model NAME (repeatable); the base model keeps its own name.")
  Map<String, Path> adapters = new LinkedHashMap<>();

  @Option(names = "--name", paramLabel = "NAME", description = "The model's name in the API (default: the directory's name).")
  String name;

  @Option(names = "--chat-template", paramLabel = "FILE",
      description = "A Jinja chat template to use instead of the model's (or for a model that has none).")
  Path chatTemplate;

  @Option(names = "--cors-origin", paramLabel = "ORIGIN",
      description = "Let web pages from ORIGIN call the API (* for any). Default: no CORS headers.")
  String corsOrigin;

  @Option(names = "--shutdown-timeout", defaultValue = "30", paramLabel = "SECONDS",
      description = "On SIGTERM, how long running requests may finish before they are cancelled (default: ${DEFAULT-VALUE}).")
  int shutdownSeconds;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    ServerOptions options = serverOptions();
    Path dir = ModelLocator.resolve(model);
    LoadOptions load = ModelOptions.loadOptions(spec, threads, quant, null, "merged");
    ModelSource source = ModelSource.load(dir, load);
    try {
      if (name != null) {
        source = source.withName(name);
      }
      for (Map.Entry<String, Path> a : adapters.entrySet()) {
        source = source.withAdapter(a.getKey(), a.getValue());
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (chatTemplate != null) {
      if (!Files.isRegularFile(chatTemplate)) {
        throw new DrainException(chatTemplate + ": no such file (--chat-template)");
      }
      source = source.withChatTemplate(ChatTemplate.of(Files.readString(chatTemplate), chatTemplate.toString(),
          TokenizerConfig.load(dir).specialTokensMap()));
    }
    long start = System.nanoTime();
    DrainServer server = DrainServer.start(source, options);
    Duration grace = Duration.ofSeconds(shutdownSeconds);
    Thread hook = new Thread(() -> {
      err.println("drain serve: stopping (running requests get " + shutdownSeconds + " s to finish)");
      server.stop(grace);
      err.println("drain serve: stopped");
    }, "drain-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    err.printf(Locale.ROOT, "drain serve: listening on %s, loading %s...%n", server.baseUrl(), dir);
    try {
      server.awaitReady(Duration.ofDays(1));
    } catch (DrainException e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      server.stop(Duration.ZERO);
      throw e;
    }
    err.printf(Locale.ROOT, "drain serve: ready in %.1f s: %s at %s/v1 (%d slots, models: %s)%s%n",
        (System.nanoTime() - start) / 1e9, server.modelNames().get(0), server.baseUrl(), parallel,
        String.join(", ", server.modelNames()), options.apiKey() == null ? "" : ", API key required");
    err.flush();
    server.awaitStopped();
    return 0;
  }

  private ServerOptions serverOptions() {
    String key = apiKey != null ? apiKey : System.getenv("DRAIN_API_KEY");
    try {
      return ServerOptions.defaults().withHost(host).withPort(port).withParallel(parallel).withQueueSize(queue)
          .withContextLength(context).withApiKey(key == null || key.isEmpty() ? null : key).withCorsOrigin(corsOrigin);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
