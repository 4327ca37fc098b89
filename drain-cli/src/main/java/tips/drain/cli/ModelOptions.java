package tips.drain.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import tips.drain.api.LoadOptions;
import tips.drain.api.ModelLocator;

/** The options every command that loads a model shares. */
final class ModelOptions {
  @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
      description = "Model directory, or a name found in models/ or DRAIN_MODEL_PATH.")
  String model;

  @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
  Integer threads;

  @Option(names = "--quant", paramLabel = "FORMAT", description = "Quantize weights on load: q8_0 or q4_0.")
  String quant;

  Path directory() {
    return ModelLocator.resolve(model);
  }

  LoadOptions loadOptions() {
    LoadOptions o = LoadOptions.defaults();
    if (threads != null) {
      o = o.withThreads(threads);
    }
    if (quant != null) {
      o = o.withQuantization(quant);
    }
    return o;
  }
}
