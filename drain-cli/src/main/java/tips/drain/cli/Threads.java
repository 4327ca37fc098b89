package tips.drain.cli;

import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code --threads}: all cores by default, at least 1, and no more than the cores (more only slows down). */
final class Threads {
  private Threads() {}

  /**
   * The thread count to use for {@code requested} (null: all cores); above the cores it is capped, with a warning.
   *
   * @throws ParameterException (exit 2) below 1
   */
  static int resolve(CommandSpec spec, Integer requested) {
    int cores = Runtime.getRuntime().availableProcessors();
    if (requested == null) {
      return cores;
    }
    if (requested < 1) {
      throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + requested);
    }
    if (requested > cores) {
      spec.commandLine().getErr().printf(Locale.ROOT,
          "drain: warning: --threads %d is more than the %d cores; using %d%n", requested, cores, cores);
      return cores;
    }
    return requested;
  }
}
