package tips.drain.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import tips.drain.sampling.SamplingParams;

/**
 * Sampling options shared by generate and chat. Options not given keep the model's defaults from
 * generation_config.json (greedy when it has none or says {@code do_sample: false}).
 */
final class SamplingOptions {
  @Option(names = "--temperature", description = "0 = greedy, else sampling temperature (default: the model's generation_config, else greedy).")
  Float temperature;

  @Option(names = "--top-k", description = "Keep the k most likely tokens (0 = off).")
  Integer topK;

  @Option(names = "--top-p", description = "Nucleus sampling threshold (1 = off).")
  Float topP;

  @Option(names = "--min-p", description = "Keep tokens with p >= min-p × top p (0 = off).")
  Float minP;

  @Option(names = "--repeat-penalty", description = "Repetition penalty (1 = off).")
  Float repeatPenalty;

  @Option(names = "--seed", defaultValue = "0", description = "Random seed for sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  /** The model's defaults with every given option applied, or a usage error (exit code 2) naming the bad value. */
  SamplingParams params(CommandSpec spec, SamplingParams defaults) {
    try {
      return new SamplingParams(
          temperature != null ? temperature : defaults.temperature(),
          topK != null ? topK : defaults.topK(),
          topP != null ? topP : defaults.topP(),
          minP != null ? minP : defaults.minP(),
          repeatPenalty != null ? repeatPenalty : defaults.repetitionPenalty(),
          seed);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
