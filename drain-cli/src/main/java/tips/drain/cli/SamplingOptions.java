package tips.drain.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import tips.drain.sampling.SamplingParams;

/** Sampling options shared by generate and chat. */
final class SamplingOptions {
  @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default), else sampling temperature.")
  float temperature;

  @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens (0 = off).")
  int topK;

  @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling threshold (1 = off).")
  float topP;

  @Option(names = "--min-p", defaultValue = "0", description = "Keep tokens with p >= min-p × top p (0 = off).")
  float minP;

  @Option(names = "--repeat-penalty", defaultValue = "1", description = "Repetition penalty (1 = off).")
  float repeatPenalty;

  @Option(names = "--seed", defaultValue = "0", description = "Random seed for sampling.")
  long seed;

  /** The parameters, or a usage error (exit code 2) naming the bad value. */
  SamplingParams params(CommandSpec spec) {
    try {
      return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, seed);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
