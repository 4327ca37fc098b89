package tips.drain.api;

/**
 * What a generation produced.
 *
 * @param promptIds the prompt's token ids as fed (with BOS when added)
 * @param generatedIds generated ids, without a final end-of-sequence token
 * @param text the generated text (without the prompt, cut before a stop string)
 * @param finishReason why it ended
 * @param stats timings
 */
public record GenerationResult(int[] promptIds, int[] generatedIds, String text, FinishReason finishReason,
    GenerationStats stats) {

  public GenerationResult {
    promptIds = promptIds.clone();
    generatedIds = generatedIds.clone();
  }

  @Override
  public int[] promptIds() {
    return promptIds.clone();
  }

  @Override
  public int[] generatedIds() {
    return generatedIds.clone();
  }
}
