package tips.drain.model.encoder;

import java.util.List;
import tips.drain.tensor.Matrix;

/**
 * All weights of an encoder: word {@code (vocab, hidden)}, position {@code (maxPositions, hidden)} and token-type
 * {@code (types, hidden)} embeddings (token types null when the model has none), the embedding LayerNorm, and the
 * blocks.
 */
public record EncoderWeights(Matrix wordEmbeddings, Matrix positionEmbeddings, Matrix tokenTypeEmbeddings,
    LayerNormWeights embeddingNorm, List<EncoderLayerWeights> layers) {

  public EncoderWeights {
    layers = List.copyOf(layers);
  }
}
