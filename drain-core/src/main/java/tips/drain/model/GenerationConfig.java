package tips.drain.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * The defaults of {@code generation_config.json}: end-of-sequence ids and sampling settings. Absent values
 * are null (the caller's defaults apply).
 */
public record GenerationConfig(
    int[] eosTokenIds, Integer bosTokenId, Boolean doSample, Double temperature, Integer topK, Double topP,
    Double minP, Double repetitionPenalty) {

  /**
   * The sampling transformers would use by default: greedy unless {@code do_sample} is true, then the file's
   * temperature, top-k, top-p and min-p with transformers' defaults for absent ones (temperature 1, top-k 50).
   */
  public tips.drain.sampling.SamplingParams samplingDefaults() {
    float penalty = repetitionPenalty == null ? 1f : repetitionPenalty.floatValue();
    if (!Boolean.TRUE.equals(doSample)) {
      return tips.drain.sampling.SamplingParams.GREEDY.withRepetitionPenalty(penalty);
    }
    return new tips.drain.sampling.SamplingParams(
        temperature == null ? 1f : temperature.floatValue(),
        topK == null ? 50 : topK,
        topP == null ? 1f : topP.floatValue(),
        minP == null ? 0f : minP.floatValue(),
        penalty, 0L);
  }

  public static final GenerationConfig NONE = new GenerationConfig(new int[0], null, null, null, null, null, null, null);

  /** The file as written, boxed. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Raw(
      @JsonProperty("eos_token_id") JsonNode eosTokenId,
      @JsonProperty("bos_token_id") Integer bosTokenId,
      @JsonProperty("do_sample") Boolean doSample,
      @JsonProperty("temperature") Double temperature,
      @JsonProperty("top_k") Integer topK,
      @JsonProperty("top_p") Double topP,
      @JsonProperty("min_p") Double minP,
      @JsonProperty("repetition_penalty") Double repetitionPenalty) {

    GenerationConfig resolve(Path file) {
      return new GenerationConfig(TokenIds.parse(eosTokenId, file + ": eos_token_id"), bosTokenId, doSample,
          temperature, topK, topP, minP, repetitionPenalty);
    }
  }
}
