package tips.drain.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import tips.drain.tensor.AdaptedMatrix;
import tips.drain.tensor.Matrix;

/**
 * All weights of a decoder-only transformer: {@code embedding (vocab, hidden)}, an optional norm of the embeddings
 * (BLOOM's {@code word_embeddings_layernorm}, else null), the layers, the final norm and the output head
 * {@code lmHead (vocab, hidden)}, which is the embedding itself when tied.
 */
public record TransformerWeights(Matrix embedding, Norm embeddingNorm, List<LayerWeights> layers, Norm finalNorm,
    Matrix lmHead) {

  public TransformerWeights {
    layers = List.copyOf(layers);
  }

  /** Weights without an embedding norm. */
  public TransformerWeights(Matrix embedding, List<LayerWeights> layers, Norm finalNorm, Matrix lmHead) {
    this(embedding, null, layers, finalNorm, lmHead);
  }

  /**
   * The same model with every stored layer projection replaced by {@code layerMatrix(projection)} and the
   * output head by {@code head(lmHead)}; the embedding and the norms stay (e.g. quantize-on-load). An adapter
   * applied at run time ({@link AdaptedMatrix}) stays on top of its mapped base.
   */
  public TransformerWeights mapMatrices(UnaryOperator<Matrix> layerMatrix, UnaryOperator<Matrix> head) {
    UnaryOperator<Matrix> layerBase = m -> AdaptedMatrix.mapBase(m, layerMatrix);
    return new TransformerWeights(embedding, embeddingNorm, layers.stream().map(l -> l.mapMatrices(layerBase)).toList(),
        finalNorm, AdaptedMatrix.mapBase(lmHead, head));
  }

  /**
   * Chooses, part by part, between two weights of the same model: this model's part ({@code mine}) and the
   * part at the same place in another load of it ({@code theirs}). Absent parts (biases, optional norms) are
   * null on both sides.
   */
  public interface Combiner {
    Matrix matrix(Matrix mine, Matrix theirs);

    float[] vector(float[] mine, float[] theirs);
  }

  /**
   * This model with every matrix and vector replaced by {@code combiner}'s choice between it and the one at the
   * same place in {@code other}, which must have the same structure (e.g. shared base weights and a run-time
   * adapter loaded over the same files).
   */
  public TransformerWeights combine(TransformerWeights other, Combiner combiner) {
    if (other.layers.size() != layers.size()) {
      throw new IllegalArgumentException(other.layers.size() + " layers to combine with " + layers.size());
    }
    List<LayerWeights> combined = new ArrayList<>(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      combined.add(layers.get(i).combine(other.layers.get(i), combiner));
    }
    return new TransformerWeights(combiner.matrix(embedding, other.embedding),
        Norm.combine(embeddingNorm, other.embeddingNorm, combiner), combined, Norm.combine(finalNorm, other.finalNorm, combiner),
        combiner.matrix(lmHead, other.lmHead));
  }

  /**
   * The parts of this model that differ from a plain Llama's weights, in words, for {@code drain inspect} (beside
   * {@link ModelConfig#features()}): e.g. {@code "attention sinks"}, {@code "fused query_key_value"}.
   */
  public List<String> features() {
    List<String> f = new ArrayList<>();
    if (embeddingNorm != null) {
      f.add("embedding norm");
    }
    LayerWeights first = layers.get(0);
    if (first.attention().fused()) {
      f.add("fused query_key_value (grouped per KV head)");
    }
    if (first.attention().sinks() != null) {
      f.add("attention sinks");
    }
    if (first.feedForwardNorm() == first.attentionNorm()) {
      f.add("one norm for attention and MLP");
    }
    if (layers.stream().anyMatch(l -> l.feedForward() instanceof PlainMlp)) {
      f.add("non-gated MLP");
    }
    if (layers.stream().anyMatch(l -> l.feedForward() instanceof MixtureOfExperts m && m.routerBias() != null)) {
      f.add("router bias");
    }
    if (first.attentionNorm().bias() != null) {
      f.add("norm biases");
    }
    return f;
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
