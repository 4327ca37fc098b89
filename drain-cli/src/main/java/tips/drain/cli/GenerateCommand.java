package tips.drain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.api.FinishReason;
import tips.drain.api.GenerationOptions;
import tips.drain.api.GenerationResult;
import tips.drain.api.GenerationStats;
import tips.drain.api.LanguageModel;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.api.TokenListener;
import tips.drain.sampling.SamplingParams;

/** {@code drain generate}: streams the continuation of a prompt. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Generate text from a prompt; the continuation streams to stdout, a summary to stderr.")
final class GenerateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Option(names = {"-p", "--prompt"}, required = true, description = "The prompt text.")
  String prompt;

  @Option(names = {"-n", "--max-tokens"}, defaultValue = "256", description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Mixin SamplingOptions sampling;

  @Option(names = "--stop", description = "Stop before this string (repeatable).")
  List<String> stop = List.of();

  @Option(names = "--ignore-eos", description = "Keep generating past end-of-sequence tokens.")
  boolean ignoreEos;

  @Option(names = "--context", defaultValue = "0", description = "Context length of the session (default: the model's, at most 4096).")
  int context;

  @Option(names = "--allow-long-context", description = "Allow a --context above the length the model was trained for.")
  boolean allowLongContext;

  @Option(names = "--json", description = "Print one JSON object (ids, text, finish reason, stats) instead of streaming.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // bad values are usage errors, found before the model loads
    sampling.params(spec, SamplingParams.GREEDY);
    GenerationOptions checked = generationOptions(SamplingParams.GREEDY);
    if (context < 0) {
      throw new ParameterException(spec.commandLine(), "--context must be at least 0 (0: the model's), got " + context);
    }
    try (LanguageModel m = LanguageModel.load(model.directory(), model.loadOptions())) {
      int contextLength = ContextLimit.check(spec, "--context", m, context, allowLongContext);
      try (Session session = m.newSession(SessionOptions.defaults().withContextLength(contextLength))) {
        SamplingParams params = sampling.params(spec, m.generationConfig().samplingDefaults());
        GenerationOptions options = checked.withSampling(params);
        TokenListener listener = json ? TokenListener.NONE : (id, text) -> {
          out.print(text);
          out.flush();
        };
        GenerationResult r = session.generate(prompt, options, listener);
        GenerationStats s = r.stats();
        double loadSeconds = m.loadNanos() / 1e9;
        if (json) {
          out.println(toJson(r, loadSeconds, m));
        } else {
          out.println();
          err.printf(Locale.ROOT, "%d prompt tokens, %d generated (%s) | prefill %.1f tok/s | decode %.1f tok/s | load %.2f s | %s | %s, %d threads%n",
              s.promptTokens(), s.generatedTokens(), r.finishReason().jsonName(), s.prefillTokensPerSecond(),
              s.decodeTokensPerSecond(), loadSeconds, params.describe(), m.kernelsName(), m.threads());
        }
        if (r.finishReason() == FinishReason.LENGTH && s.generatedTokens() < maxTokens) {
          err.printf(Locale.ROOT, "drain: stopped at the end of the context (%d positions); a longer --context continues further%n",
              session.capacity());
        }
      }
    }
    return 0;
  }

  /** The generation options of the command line, or a usage error naming the option. */
  private GenerationOptions generationOptions(SamplingParams params) {
    if (maxTokens < 0) {
      throw new ParameterException(spec.commandLine(), "-n/--max-tokens must be at least 0, got " + maxTokens);
    }
    for (String s : stop) {
      if (s.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--stop must not be empty");
      }
    }
    return GenerationOptions.defaults().withMaxTokens(maxTokens).withSampling(params).withStopStrings(stop)
        .withStopOnEos(!ignoreEos);
  }

  static String toJson(GenerationResult r, double loadSeconds, LanguageModel m) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode o = json.createObjectNode();
    ArrayNode prompt = o.putArray("prompt_ids");
    for (int id : r.promptIds()) {
      prompt.add(id);
    }
    ArrayNode gen = o.putArray("generated_ids");
    for (int id : r.generatedIds()) {
      gen.add(id);
    }
    o.put("text", r.text());
    o.put("finish_reason", r.finishReason().jsonName());
    ObjectNode stats = o.putObject("stats");
    GenerationStats s = r.stats();
    stats.put("prompt_tokens", s.promptTokens());
    stats.put("generated_tokens", s.generatedTokens());
    stats.put("prefill_tok_s", s.prefillTokensPerSecond());
    stats.put("decode_tok_s", s.decodeTokensPerSecond());
    stats.put("load_s", loadSeconds);
    stats.put("threads", m.threads());
    stats.put("kernels", m.kernelsName());
    return o.toString();
  }
}
