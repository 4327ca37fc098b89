package tips.drain.model;

import java.util.List;
import tips.drain.tensor.Matrix;

/**
 * All weights of a decoder-only transformer: {@code embedding (vocab, hidden)}, the layers, the final norm and
 * the output head {@code lmHead (vocab, hidden)}, which is the embedding itself when tied.
 */
public record TransformerWeights(Matrix embedding, List<LayerWeights> layers, float[] finalNorm, Matrix lmHead) {

  /** Bytes of weights one decode step reads (every matrix once; the embedding only one row). */
  public long decodeBytes() {
    long n = 0;
    for (LayerWeights l : layers) {
      AttentionWeights a = l.attention();
      FeedForwardWeights f = l.mlp();
      n += a.wq().byteSize() + a.wk().byteSize() + a.wv().byteSize() + a.wo().byteSize();
      n += f.gate().byteSize() + f.up().byteSize() + f.down().byteSize();
    }
    return n + lmHead.byteSize();
  }
}
