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
 * @param stopTokens more ids that end generation, e.g. a chat template's end-of-turn token
 * @param logprobs -1 for none, else report each generated token's log probability and those of this many most
 *     likely tokens to {@link TokenListener#onLogprobs}
 */
public record GenerationOptions(int maxTokens, SamplingParams sampling, List<String> stopStrings, boolean stopOnEos,
    boolean addSpecialTokens, List<Integer> stopTokens, int logprobs) {

  public GenerationOptions {
    if (maxTokens < 0) {
      throw new IllegalArgumentException("max tokens must be >= 0, got " + maxTokens);
    }
    if (logprobs < -1) {
      throw new IllegalArgumentException("logprobs must be -1 (none) or >= 0, got " + logprobs);
    }
    stopStrings = List.copyOf(stopStrings);
    stopTokens = List.copyOf(stopTokens);
    for (String s : stopStrings) {
      if (s.isEmpty()) {
        throw new IllegalArgumentException("stop strings must not be empty");
      }
    }
  }

  /** Options without log probabilities. */
  public GenerationOptions(int maxTokens, SamplingParams sampling, List<String> stopStrings, boolean stopOnEos,
      boolean addSpecialTokens, List<Integer> stopTokens) {
    this(maxTokens, sampling, stopStrings, stopOnEos, addSpecialTokens, stopTokens, -1);
  }

  /** 256 tokens, greedy, stop on EOS, BOS added. */
  public static GenerationOptions defaults() {
    return new GenerationOptions(256, SamplingParams.GREEDY, List.of(), true, true, List.of());
  }

  public GenerationOptions withMaxTokens(int n) {
    return new GenerationOptions(n, sampling, stopStrings, stopOnEos, addSpecialTokens, stopTokens, logprobs);
  }

  public GenerationOptions withSampling(SamplingParams p) {
    return new GenerationOptions(maxTokens, p, stopStrings, stopOnEos, addSpecialTokens, stopTokens, logprobs);
  }

  public GenerationOptions withStopStrings(List<String> s) {
    return new GenerationOptions(maxTokens, sampling, s, stopOnEos, addSpecialTokens, stopTokens, logprobs);
  }

  public GenerationOptions withStopOnEos(boolean stop) {
    return new GenerationOptions(maxTokens, sampling, stopStrings, stop, addSpecialTokens, stopTokens, logprobs);
  }

  public GenerationOptions withAddSpecialTokens(boolean add) {
    return new GenerationOptions(maxTokens, sampling, stopStrings, stopOnEos, add, stopTokens, logprobs);
  }

  public GenerationOptions withStopTokens(List<Integer> ids) {
    return new GenerationOptions(maxTokens, sampling, stopStrings, stopOnEos, addSpecialTokens, ids, logprobs);
  }

  /**
   * Reports log probabilities to the listener: of each generated token and of the {@code top} most likely ones
   * ({@code -1}: none).
   */
  public GenerationOptions withLogprobs(int top) {
    return new GenerationOptions(maxTokens, sampling, stopStrings, stopOnEos, addSpecialTokens, stopTokens, top);
  }
}
