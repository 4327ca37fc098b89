package tips.drain.api;

import java.util.List;
import tips.drain.sampling.SamplingParams;

/**
 * What to generate.
 *
 * @param maxTokens the most tokens to generate
 * @param sampling how to choose tokens
 * @param stopStrings generation stops before any of these strings appears in the output
 * @param stopOnEos whether the model's end-of-sequence ids end generation
 * @param addSpecialTokens whether the prompt gets the tokenizer's BOS/EOS (only at the start of a session)
 */
public record GenerationOptions(int maxTokens, SamplingParams sampling, List<String> stopStrings, boolean stopOnEos,
    boolean addSpecialTokens) {

  public GenerationOptions {
    if (maxTokens < 0) {
      throw new IllegalArgumentException("max tokens must be >= 0, got " + maxTokens);
    }
    stopStrings = List.copyOf(stopStrings);
    for (String s : stopStrings) {
      if (s.isEmpty()) {
        throw new IllegalArgumentException("stop strings must not be empty");
      }
    }
  }

  /** 256 tokens, greedy, stop on EOS, BOS added. */
  public static GenerationOptions defaults() {
    return new GenerationOptions(256, SamplingParams.GREEDY, List.of(), true, true);
  }

  public GenerationOptions withMaxTokens(int n) {
    return new GenerationOptions(n, sampling, stopStrings, stopOnEos, addSpecialTokens);
  }

  public GenerationOptions withSampling(SamplingParams p) {
    return new GenerationOptions(maxTokens, p, stopStrings, stopOnEos, addSpecialTokens);
  }

  public GenerationOptions withStopStrings(List<String> s) {
    return new GenerationOptions(maxTokens, sampling, s, stopOnEos, addSpecialTokens);
  }

  public GenerationOptions withStopOnEos(boolean stop) {
    return new GenerationOptions(maxTokens, sampling, stopStrings, stop, addSpecialTokens);
  }

  public GenerationOptions withAddSpecialTokens(boolean add) {
    return new GenerationOptions(maxTokens, sampling, stopStrings, stopOnEos, add);
  }
}
