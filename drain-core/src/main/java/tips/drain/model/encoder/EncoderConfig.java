package tips.drain.model.encoder;

/**
 * A resolved encoder config: every value explicit and validated.
 *
 * @param vocabSize rows of the word embeddings
 * @param hiddenSize width of the residual stream
 * @param numLayers transformer blocks
 * @param numHeads attention heads ({@code hiddenSize} is a multiple of it)
 * @param intermediateSize width of the feed-forward block
 * @param maxPositions rows of the position embeddings
 * @param typeVocabSize rows of the token-type embeddings (0: none)
 * @param layerNormEps epsilon of every LayerNorm
 * @param activation the feed-forward activation
 * @param positionOffset the position id of a text's first token (0 for BERT; RoBERTa counts from pad id + 1)
 */
public record EncoderConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
    int maxPositions, int typeVocabSize, float layerNormEps, EncoderActivation activation, int positionOffset) {

  /** Dimensions per attention head. */
  public int headDim() {
    return hiddenSize / numHeads;
  }

  /** The longest text, special tokens included, the position embeddings cover. */
  public int maxTokens() {
    return maxPositions - positionOffset;
  }
}
