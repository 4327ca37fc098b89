package tips.drain.model;

import java.util.List;
import java.util.function.UnaryOperator;
import tips.drain.tensor.AdaptedMatrix;
import tips.drain.tensor.Matrix;

/**
 * All weights of a decoder-only transformer: {@code embedding (vocab, hidden)}, the layers, the final norm and
 * the output head {@code lmHead (vocab, hidden)}, which is the embedding itself when tied.
 */
public record TransformerWeights(Matrix embedding, List<LayerWeights> layers, float[] finalNorm, Matrix lmHead) {

  public TransformerWeights {
    layers = List.copyOf(layers);
  }

  /**
   * The same model with every stored layer projection replaced by {@code layerMatrix(projection)} and the
   * output head by {@code head(lmHead)}; the embedding and the norms stay (e.g. quantize-on-load). An adapter
   * applied at run time ({@link AdaptedMatrix}) stays on top of its mapped base.
   */
  public TransformerWeights mapMatrices(UnaryOperator<Matrix> layerMatrix, UnaryOperator<Matrix> head) {
    UnaryOperator<Matrix> layerBase = m -> AdaptedMatrix.mapBase(m, layerMatrix);
    return new TransformerWeights(embedding, layers.stream().map(l -> l.mapMatrices(layerBase)).toList(), finalNorm,
        AdaptedMatrix.mapBase(lmHead, head));
  }

  /** Bytes of weights one decode step reads (every matrix once, routed experts only; the embedding one row). */
  public long decodeBytes() {
    long n = 0;
    for (LayerWeights l : layers) {
      n += l.attention().byteSize() + l.feedForward().decodeBytes();
    }
    return n + lmHead.byteSize();
  }
}
