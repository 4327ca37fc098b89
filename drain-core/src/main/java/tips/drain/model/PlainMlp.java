package tips.drain.model;

import java.util.function.UnaryOperator;
import tips.drain.tensor.Matrix;

/**
 * A non-gated MLP (Falcon, BLOOM): {@code down(act(up(x)))} with {@code up (ffn, hidden)} (their
 * {@code dense_h_to_4h}) and {@code down (hidden, ffn)} ({@code dense_4h_to_h}); biases null when absent.
 */
public record PlainMlp(Matrix up, Matrix down, float[] bUp, float[] bDown) implements FeedForward {

  @Override
  public PlainMlp mapMatrices(UnaryOperator<Matrix> f) {
    return new PlainMlp(f.apply(up), f.apply(down), bUp, bDown);
  }

  @Override
  public PlainMlp combine(FeedForward other, TransformerWeights.Combiner c) {
    if (!(other instanceof PlainMlp o)) {
      throw new IllegalArgumentException("cannot combine a plain MLP with " + other.getClass().getSimpleName());
    }
    return new PlainMlp(c.matrix(up, o.up), c.matrix(down, o.down), c.vector(bUp, o.bUp), c.vector(bDown, o.bDown));
  }

  @Override
  public long decodeBytes() {
    return up.byteSize() + down.byteSize();
  }
}
