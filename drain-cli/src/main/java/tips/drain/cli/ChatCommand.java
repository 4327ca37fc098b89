package tips.drain.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import tips.drain.api.ContextLengthException;
import tips.drain.api.SessionOptions;
import tips.drain.chat.ChatSession;
import tips.drain.template.ChatTemplate;
import tips.drain.tokenizer.TokenizerConfig;

/**
 * {@code drain chat}: an interactive conversation in the terminal through the library's {@link ChatSession} (the
 * model's chat template; each turn computes only what the cache does not hold). Ctrl-C stops the answer being
 * written, not the chat; a message over the context is refused with its token count; an unknown {@code /command}
 * lists the commands.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
    description = {"Chat with a model in the terminal, using its chat template.",
        "End a line with \\ to continue on the next; /reset starts over; /exit (or end of input) quits;",
        "Ctrl-C stops the answer being written and the conversation goes on."})
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

  /** The commands a line may be, as the help lists them. */
  static final String COMMANDS = "/reset starts over (keeps --system), /exit quits; a line ending in \\ continues on the next;"
      + " Ctrl-C stops the answer being written";

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = model.directory();
    ChatTemplate template = template(dir);
    sampling.params(spec, tips.drain.sampling.SamplingParams.GREEDY); // usage errors before the model loads
    try (LanguageModel m = LanguageModel.load(dir, model.loadOptions());
         ChatSession chat = ChatSession.open(m, template, SessionOptions.defaults().withContextLength(context));
         AnswerInterrupts interrupts = AnswerInterrupts.install()) {
      GenerationOptions options = GenerationOptions.defaults().withMaxTokens(maxTokens)
          .withSampling(sampling.params(spec, m.generationConfig().samplingDefaults()));
      if (system != null) {
        chat.withSystem(system);
      }
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      err.printf(Locale.ROOT, "drain chat: %s (%s, %d threads). %s.%n", dir.getFileName(), m.kernelsName(), m.threads(),
          COMMANDS);
      while (true) {
        String input = readTurn(in, out);
        if (input == null || input.strip().equals("/exit")) {
          break;
        }
        if (input.strip().equals("/reset")) {
          chat.reset();
          err.println("(conversation cleared)");
          continue;
        }
        if (isCommand(input)) {
          err.println("unknown command " + input.strip() + ". Commands: " + COMMANDS + ".");
          continue;
        }
        if (input.isBlank()) {
          continue;
        }
        GenerationResult r;
        try {
          r = interrupts.whileAnswering(chat::cancel, () -> chat.send(input, options, (id, text) -> {
            out.print(text);
            out.flush();
          }));
        } catch (ContextLengthException e) {
          err.println("(" + e.getMessage() + "; the conversation goes on without it)");
          continue;
        }
        out.println();
        err.printf(Locale.ROOT, "(%d tokens, %.1f tok/s, %s%s)%n", r.stats().generatedTokens(),
            r.stats().decodeTokensPerSecond(), r.finishReason().jsonName(),
            r.stats().cachedTokens() > 0 ? ", " + r.stats().cachedTokens() + " prompt tokens from the cache" : "");
      }
    }
    return 0;
  }

  /** A line that is one word starting with a slash: a command, known or not. */
  static boolean isCommand(String input) {
    String s = input.strip();
    return s.startsWith("/") && s.length() > 1 && s.indexOf(' ') < 0 && s.indexOf('\n') < 0;
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
