package tips.drain.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tips.drain.DrainException;

/**
 * Entry point of the {@code drain} command. Exit codes: 0 ok, 1 failure (one-line message; the stack trace
 * only with {@code --verbose}), 2 bad usage.
 */
@Command(
    name = "drain",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Runs Hugging Face transformer models on a CPU, in pure Java.",
    subcommands = {
      GenerateCommand.class,
      InspectCommand.class,
      BenchCommand.class,
      PerplexityCommand.class,
      ChatCommand.class,
      QuantizeCommand.class,
      TokenizeCommand.class,
      DetokenizeCommand.class,
      MergeCommand.class,
      ServeCommand.class,
      PullCommand.class,
      ListCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line and returns the exit code (for tests: no System.exit). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.hasMatchedOption("--verbose")
          || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
      PrintWriter err = commandLine.getErr();
      if (verbose) {
        e.printStackTrace(err);
      }
      err.println("drain: " + message(e));
      err.flush();
      return 1;
    });
    return cli;
  }

  static String message(Throwable e) {
    if (e instanceof DrainException || e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory: the model does not fit the Java heap; raise it with DRAIN_JAVA_OPTS=-Xmx<size>";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"drain " + (v == null ? "dev" : v) + " on Java " + Runtime.version()};
    }
  }
}
