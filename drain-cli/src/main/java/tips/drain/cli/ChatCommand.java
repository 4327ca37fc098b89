package tips.drain.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.DrainException;
import tips.drain.api.GenerationOptions;
import tips.drain.api.GenerationResult;
import tips.drain.api.LanguageModel;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.template.ChatMessage;
import tips.drain.template.ChatTemplate;
import tips.drain.tokenizer.Tokenizer;
import tips.drain.tokenizer.TokenizerConfig;

/**
 * {@code drain chat}: an interactive conversation in the terminal, formatted with the model's chat template.
 * The conversation stays in the session's KV cache: each turn feeds only what the template adds.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
    description = {"Chat with a model in the terminal, using its chat template.",
        "End a line with \\ to continue on the next; /reset starts over; /exit (or end of input) quits."})
final class ChatCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ModelOptions model;
  @Mixin SamplingOptions sampling;

  @Option(names = {"-s", "--system"}, description = "A system prompt.")
  String system;

  @Option(names = "--template", paramLabel = "FILE", description = "A Jinja chat template to use instead of the model's.")
  Path templateFile;

  @Option(names = {"-n", "--max-tokens"}, defaultValue = "1024", description = "Most tokens per answer (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--context", defaultValue = "0", description = "Context length (default: the model's, at most 4096).")
  int context;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = model.directory();
    ChatTemplate template = template(dir);
    sampling.params(spec, tips.drain.sampling.SamplingParams.GREEDY); // usage errors before the model loads
    try (LanguageModel m = LanguageModel.load(dir, model.loadOptions());
         Session session = m.newSession(SessionOptions.defaults().withContextLength(context))) {
      Tokenizer tokenizer = m.tokenizer().orElseThrow();
      GenerationOptions options = GenerationOptions.defaults().withMaxTokens(maxTokens)
          .withSampling(sampling.params(spec, m.generationConfig().samplingDefaults())).withAddSpecialTokens(false).withStopTokens(endOfTurn(dir, tokenizer));
      List<ChatMessage> messages = new ArrayList<>();
      if (system != null) {
        messages.add(ChatMessage.system(system));
      }
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      err.printf(Locale.ROOT, "drain chat: %s (%s, %d threads). /reset starts over, /exit quits, a line ending in \\ continues.%n",
          dir.getFileName(), m.kernelsName(), m.threads());
      while (true) {
        String input = readTurn(in, out);
        if (input == null || input.strip().equals("/exit")) {
          break;
        }
        if (input.strip().equals("/reset")) {
          messages.removeIf(msg -> !msg.role().equals("system"));
          session.reset();
          err.println("(conversation cleared)");
          continue;
        }
        if (input.isBlank()) {
          continue;
        }
        messages.add(ChatMessage.user(input));
        int[] ids = tokenizer.encode(template.render(messages, true), false);
        int[] fed = session.tokens();
        int[] suffix = continuation(fed, ids);
        if (suffix == null) {
          session.reset();
          suffix = ids;
        }
        if (session.position() + suffix.length >= session.capacity()) {
          err.println("(the conversation no longer fits the context: starting over with your last message)");
          messages.removeIf(msg -> !msg.role().equals("system"));
          messages.add(ChatMessage.user(input));
          session.reset();
          suffix = tokenizer.encode(template.render(messages, true), false);
        }
        GenerationResult r = session.generate(suffix, options, (id, text) -> {
          out.print(text);
          out.flush();
        });
        out.println();
        messages.add(ChatMessage.assistant(r.text().strip()));
        err.printf(Locale.ROOT, "(%d tokens, %.1f tok/s, %s)%n", r.stats().generatedTokens(),
            r.stats().decodeTokensPerSecond(), r.finishReason().jsonName());
      }
    }
    return 0;
  }

  private ChatTemplate template(Path dir) throws IOException {
    if (templateFile != null) {
      if (!Files.isRegularFile(templateFile)) {
        throw new DrainException(templateFile + ": no such file");
      }
      return ChatTemplate.of(Files.readString(templateFile), templateFile.toString(),
          TokenizerConfig.load(dir).specialTokensMap());
    }
    return ChatTemplate.load(dir).orElseThrow(() -> new DrainException(dir + " has no chat template "
        + "(no chat_template in tokenizer_config.json, no chat_template.jinja): pass one with --template FILE"));
  }

  /** The template's end-of-turn token (tokenizer_config's eos_token), which may differ from the model's EOS. */
  private static List<Integer> endOfTurn(Path dir, Tokenizer tokenizer) {
    String eos = TokenizerConfig.load(dir).eosToken();
    int id = eos == null ? -1 : tokenizer.tokenToId(eos);
    return id < 0 ? List.of() : List.of(id);
  }

  /** The ids of {@code ids} after {@code fed} if {@code fed} is a prefix of it, else null. */
  static int[] continuation(int[] fed, int[] ids) {
    if (fed.length > ids.length) {
      return null;
    }
    for (int i = 0; i < fed.length; i++) {
      if (fed[i] != ids[i]) {
        return null;
      }
    }
    return java.util.Arrays.copyOfRange(ids, fed.length, ids.length);
  }

  /** One user turn: lines ending in a backslash continue; null at end of input. */
  private static String readTurn(BufferedReader in, PrintWriter out) throws IOException {
    out.print("\n> ");
    out.flush();
    StringBuilder text = new StringBuilder();
    while (true) {
      String line = in.readLine();
      if (line == null) {
        return text.isEmpty() ? null : text.toString();
      }
      if (line.endsWith("\\")) {
        text.append(line, 0, line.length() - 1).append('\n');
        out.print(". ");
        out.flush();
        continue;
      }
      return text.append(line).toString();
    }
  }
}
