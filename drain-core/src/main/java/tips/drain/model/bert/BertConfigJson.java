package tips.drain.model.bert;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The fields of a BERT-family config.json that DRAIN reads, boxed: a missing key is null, never a silent 0. */
@JsonIgnoreProperties(ignoreUnknown = true)
record BertConfigJson(
    @JsonProperty("architectures") List<String> architectures,
    @JsonProperty("model_type") String modelType,
    @JsonProperty("vocab_size") Integer vocabSize,
    @JsonProperty("hidden_size") Integer hiddenSize,
    @JsonProperty("num_hidden_layers") Integer numHiddenLayers,
    @JsonProperty("num_attention_heads") Integer numAttentionHeads,
    @JsonProperty("intermediate_size") Integer intermediateSize,
    @JsonProperty("hidden_act") String hiddenAct,
    @JsonProperty("max_position_embeddings") Integer maxPositionEmbeddings,
    @JsonProperty("type_vocab_size") Integer typeVocabSize,
    @JsonProperty("layer_norm_eps") Double layerNormEps,
    @JsonProperty("position_embedding_type") String positionEmbeddingType,
    @JsonProperty("pad_token_id") Integer padTokenId) {}
