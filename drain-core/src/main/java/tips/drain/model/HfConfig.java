package tips.drain.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * {@code config.json} as written by transformers, field for field. Every field is boxed: a missing key is
 * {@code null}, never a silent 0. Defaults and validation belong to the architecture's resolver, which turns
 * this into a {@link ModelConfig}. Unknown keys are ignored. Keys whose config class default differs from
 * {@code null} ({@code sliding_window}, the soft-caps) are kept as {@link JsonNode}: Java null when the key is
 * absent, JSON null ({@link JsonNode#isNull()}) when written as {@code null}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HfConfig(
    @JsonProperty("architectures") List<String> architectures,
    @JsonProperty("model_type") String modelType,
    @JsonProperty("hidden_size") Integer hiddenSize,
    @JsonProperty("intermediate_size") Integer intermediateSize,
    @JsonProperty("num_hidden_layers") Integer numHiddenLayers,
    @JsonProperty("num_attention_heads") Integer numAttentionHeads,
    @JsonProperty("num_key_value_heads") Integer numKeyValueHeads,
    @JsonProperty("head_dim") Integer headDim,
    @JsonProperty("hidden_act") String hiddenAct,
    @JsonProperty("hidden_activation") String hiddenActivation,
    @JsonProperty("max_position_embeddings") Integer maxPositionEmbeddings,
    @JsonProperty("rms_norm_eps") Double rmsNormEps,
    @JsonProperty("rope_theta") Double ropeTheta,
    @JsonProperty("rope_scaling") JsonNode ropeScaling,
    @JsonProperty("partial_rotary_factor") Double partialRotaryFactor,
    @JsonProperty("attention_bias") Boolean attentionBias,
    @JsonProperty("mlp_bias") Boolean mlpBias,
    @JsonProperty("vocab_size") Integer vocabSize,
    @JsonProperty("tie_word_embeddings") Boolean tieWordEmbeddings,
    @JsonProperty("bos_token_id") JsonNode bosTokenId,
    @JsonProperty("eos_token_id") JsonNode eosTokenId,
    @JsonProperty("sliding_window") JsonNode slidingWindow,
    @JsonProperty("use_sliding_window") Boolean useSlidingWindow,
    @JsonProperty("max_window_layers") Integer maxWindowLayers,
    @JsonProperty("layer_types") List<String> layerTypes,
    @JsonProperty("sliding_window_pattern") Integer slidingWindowPattern,
    @JsonProperty("num_local_experts") Integer numLocalExperts,
    @JsonProperty("num_experts_per_tok") Integer numExpertsPerTok,
    @JsonProperty("attn_logit_softcapping") JsonNode attnLogitSoftcapping,
    @JsonProperty("final_logit_softcapping") JsonNode finalLogitSoftcapping,
    @JsonProperty("query_pre_attn_scalar") Double queryPreAttnScalar,
    @JsonProperty("rope_local_base_freq") Double ropeLocalBaseFreq,
    @JsonProperty("pretraining_tp") Integer pretrainingTp,
    @JsonProperty("torch_dtype") String torchDtype,
    @JsonProperty("original_max_position_embeddings") Integer originalMaxPositionEmbeddings,
    @JsonProperty("use_bidirectional_attention") Boolean useBidirectionalAttention,
    @JsonProperty("text_config") JsonNode textConfig,
    // Falcon and BLOOM
    @JsonProperty("n_layer") Integer nLayer,
    @JsonProperty("n_head") Integer nHead,
    @JsonProperty("layer_norm_epsilon") Double layerNormEpsilon,
    @JsonProperty("ffn_hidden_size") Integer ffnHiddenSize,
    @JsonProperty("activation") String activation,
    @JsonProperty("multi_query") Boolean multiQuery,
    @JsonProperty("new_decoder_architecture") Boolean newDecoderArchitecture,
    @JsonProperty("parallel_attn") Boolean parallelAttn,
    @JsonProperty("num_kv_heads") Integer numKvHeads,
    @JsonProperty("num_ln_in_parallel_attn") Integer numLnInParallelAttn,
    @JsonProperty("bias") Boolean bias,
    @JsonProperty("alibi") Boolean alibi,
    @JsonProperty("apply_residual_connection_post_layernorm") Boolean applyResidualConnectionPostLayernorm,
    // Qwen3-MoE and GPT-OSS
    @JsonProperty("num_experts") Integer numExperts,
    @JsonProperty("moe_intermediate_size") Integer moeIntermediateSize,
    @JsonProperty("norm_topk_prob") Boolean normTopkProb,
    @JsonProperty("decoder_sparse_step") Integer decoderSparseStep,
    @JsonProperty("mlp_only_layers") List<Integer> mlpOnlyLayers,
    @JsonProperty("swiglu_limit") Double swigluLimit) {

  /** True when {@code key} is absent from config.json (its config class default applies), false when it is null. */
  public static boolean absent(JsonNode value) {
    return value == null || value.isMissingNode();
  }
}
