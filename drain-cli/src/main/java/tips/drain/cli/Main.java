package tips.drain.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
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
      EmbedCommand.class,
      IndexCommand.class,
      SearchCommand.class,
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
  /** Lucene logs its vectorization setup at INFO on every start; the CLI shows only its warnings (kept: JUL holds loggers weakly). */
  private static final Logger LUCENE_LOG = Logger.getLogger("org.apache.lucene");
  @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  public static void main(String[] args) {
    LUCENE_LOG.setLevel(Level.WARNING);
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
    // bad usage: one line and where help is, exit 2 (picocli would print the whole usage)
    cli.setParameterExceptionHandler((e, args) -> {
      CommandLine command = e.getCommandLine();
      PrintWriter err = command.getErr();
      err.println("drain: " + firstLine(e.getMessage()) + " (see '" + command.getCommandSpec().qualifiedName()
          + " --help')");
      err.flush();
      return 2;
    });
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
      return firstLine(e.getMessage());
    }
    if (e instanceof UncheckedIOException u) {
      IOException cause = u.getCause();
      return firstLine(u.getMessage() == null || u.getMessage().equals(String.valueOf(cause))
          ? cause.getClass().getSimpleName() + ": " + cause.getMessage() : u.getMessage() + ": " + cause.getMessage());
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory: the model does not fit the Java heap; raise it with DRAIN_JAVA_OPTS=-Xmx<size>";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }

  /** {@code drain --version}: the project version Maven wrote into version.properties at build time. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"drain " + version() + " on Java " + Runtime.version()};
    }

    static String version() {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return p.getProperty("version", "unknown");
    }
  }
}
