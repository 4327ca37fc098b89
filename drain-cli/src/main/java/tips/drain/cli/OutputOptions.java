package tips.drain.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tips.drain.DrainException;
import tips.drain.io.AtomicDirectory;

/**
 * {@code --out DIR [--force]} of the commands that write a model or an index. The output is written beside
 * {@code DIR} and moved into place when complete ({@link AtomicDirectory}): an interrupted run leaves the previous
 * output intact, or nothing. A non-empty {@code DIR} is refused unless {@code --force}.
 */
final class OutputOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
      description = "Output directory (written beside it, then moved into place).")
  Path out;

  @Option(names = "--force", description = "Replace a non-empty output directory (the old one is kept until the new one is complete).")
  boolean force;

  /**
   * Checks the output before any work starts and opens its partial folder.
   *
   * @param input the directory the command reads, which the output must not replace
   * @throws ParameterException (exit 2) when the output is the input
   * @throws DrainException (exit 1) when the output exists and is not empty without {@code --force}
   */
  AtomicDirectory open(Path input) {
    Path o = out.toAbsolutePath().normalize();
    Path in = input.toAbsolutePath().normalize();
    if (o.equals(in) || in.startsWith(o)) {
      throw new ParameterException(spec.commandLine(), "--out " + out + " would replace the input " + input
          + "; write to another directory");
    }
    try {
      return AtomicDirectory.create(out, force ? AtomicDirectory.Existing.REPLACE : AtomicDirectory.Existing.REFUSE);
    } catch (AtomicDirectory.OutputExistsException e) {
      throw new DrainException(e.getMessage() + " (--force replaces it)");
    }
  }
}
