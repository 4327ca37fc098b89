package tips.drain.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tips.drain.api.LoadOptions;
import tips.drain.api.ModelLocator;
import tips.drain.lora.LoraMode;
import tips.drain.tensor.MatrixFormat;

/** The options every command that loads a model shares. */
final class ModelOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
      description = "Model directory or .gguf file, a name found in models/ or DRAIN_MODEL_PATH, or ORG/NAME[@REV]"
          + " pulled into the hub cache.")
  String model;

  @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
  Integer threads;

  @Option(names = "--quant", paramLabel = "FORMAT", description = "Quantize weights on load: q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k or q6_k.")
  String quant;

  @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT LoRA adapter directory to apply.")
  Path adapter;

  @Option(names = "--adapter-mode", defaultValue = "merged", paramLabel = "MODE",
      description = "merged (into the weights at load, fastest) or runtime (base weights untouched).")
  String adapterMode;

  Path directory() {
    return ModelLocator.resolve(model);
  }

  /** The load options, or a usage error (exit code 2) naming the bad value. */
  LoadOptions loadOptions() {
    return loadOptions(spec, threads, quant, adapter, adapterMode);
  }

  /**
   * Load options from these option values ({@code threads} and {@code quant} may be null: all cores, as
   * stored), or a usage error of {@code spec}'s command naming the bad value.
   */
  static LoadOptions loadOptions(CommandSpec spec, Integer threads, String quant, Path adapter, String adapterMode) {
    try {
      LoadOptions o = LoadOptions.defaults().withThreads(Threads.resolve(spec, threads));
      if (quant != null) {
        o = o.withQuantization(quantName(spec, quant));
      }
      if (adapter != null) {
        LoraMode mode = switch (adapterMode.toLowerCase(java.util.Locale.ROOT)) {
          case "merged" -> LoraMode.MERGED;
          case "runtime" -> LoraMode.RUNTIME;
          default -> throw new IllegalArgumentException("--adapter-mode must be merged or runtime, not '" + adapterMode + "'");
        };
        o = o.withAdapter(adapter, mode);
      }
      return o;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** {@code name} when a weight format of that name is on the class path, else a usage error listing them. */
  static String quantName(CommandSpec spec, String name) {
    if (MatrixFormat.byName(name).isPresent()) {
      return name;
    }
    List<String> known = new ArrayList<>();
    ServiceLoader.load(MatrixFormat.class).forEach(f -> known.add(f.name().toLowerCase(Locale.ROOT)));
    throw new ParameterException(spec.commandLine(), "--quant must be one of " + String.join(", ", known) + ", not '"
        + name + "'");
  }
}
