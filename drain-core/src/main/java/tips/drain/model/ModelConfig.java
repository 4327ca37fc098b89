package tips.drain.model;

import java.util.Arrays;

/**
 * A resolved, validated model configuration: every default applied, every size checked. Built from a
 * {@link HfConfig} by the model's {@link Architecture}; computes nothing heavy.
 *
 * @param family the {@code model_type}, e.g. {@code "llama"}
 * @param architecture the class name from {@code architectures}, e.g. {@code "LlamaForCausalLM"}
 * @param hiddenSize model width ({@code hidden_size})
 * @param intermediateSize MLP width
 * @param numLayers decoder layers
 * @param numHeads query heads
 * @param numKvHeads key/value heads (GQA: {@code numHeads % numKvHeads == 0})
 * @param headDim width of one head
 * @param vocabSize rows of the embedding and the output head
 * @param contextLength the longest sequence the model was trained for ({@code max_position_embeddings})
 * @param rmsNormEps epsilon of RMSNorm
 * @param rope rotary position embedding settings
 * @param tieWordEmbeddings whether the output head is the embedding matrix
 * @param attentionBias q/k/v/o projections have biases
 * @param mlpBias MLP projections have biases
 * @param activation the MLP's activation
 * @param slidingWindow attention window in tokens (a query sees keys q-k < window), 0 for none
 * @param bosTokenId beginning-of-sequence id, -1 if none
 * @param eosTokenIds end-of-sequence ids (may be empty)
 */
public record ModelConfig(
    String family,
    String architecture,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int vocabSize,
    int contextLength,
    float rmsNormEps,
    RopeConfig rope,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean mlpBias,
    Activation activation,
    int slidingWindow,
    int bosTokenId,
    int[] eosTokenIds) {

  public ModelConfig {
    eosTokenIds = eosTokenIds.clone();
  }

  /** Width of all query heads together. */
  public int queryDim() {
    return numHeads * headDim;
  }

  /** Width of all key (or value) heads together. */
  public int kvDim() {
    return numKvHeads * headDim;
  }

  /** Query heads per key/value head. */
  public int groupSize() {
    return numHeads / numKvHeads;
  }

  @Override
  public int[] eosTokenIds() {
    return eosTokenIds.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelConfig c && toString().equals(c.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return "ModelConfig[" + family + "/" + architecture + ", hidden " + hiddenSize + ", ffn " + intermediateSize
        + ", layers " + numLayers + ", heads " + numHeads + "/" + numKvHeads + "x" + headDim + ", vocab " + vocabSize
        + ", context " + contextLength + ", eps " + rmsNormEps + ", " + rope + ", tied " + tieWordEmbeddings
        + ", bias " + attentionBias + "/" + mlpBias + ", " + activation + ", window " + slidingWindow
        + ", bos " + bosTokenId + ", eos " + Arrays.toString(eosTokenIds) + "]";
  }
}
