package tips.drain.model;

import java.util.function.UnaryOperator;
import tips.drain.tensor.Matrix;

/**
 * One gated MLP: {@code down(act(gate(x)) * up(x))} with {@code gate, up (ffn, hidden)} and
 * {@code down (hidden, ffn)}; biases null when absent. Also one expert of a {@link MixtureOfExperts}
 * (Mixtral's {@code w1} = gate, {@code w3} = up, {@code w2} = down).
 */
public record FeedForwardWeights(Matrix gate, Matrix up, Matrix down, float[] bGate, float[] bUp, float[] bDown)
    implements FeedForward {

  @Override
  public FeedForwardWeights mapMatrices(UnaryOperator<Matrix> f) {
    return new FeedForwardWeights(f.apply(gate), f.apply(up), f.apply(down), bGate, bUp, bDown);
  }

  @Override
  public FeedForwardWeights combine(FeedForward other, TransformerWeights.Combiner c) {
    if (!(other instanceof FeedForwardWeights o)) {
      throw new IllegalArgumentException("cannot combine a dense MLP with " + other.getClass().getSimpleName());
    }
    return new FeedForwardWeights(c.matrix(gate, o.gate), c.matrix(up, o.up), c.matrix(down, o.down),
        c.vector(bGate, o.bGate), c.vector(bUp, o.bUp), c.vector(bDown, o.bDown));
  }

  @Override
  public long decodeBytes() {
    return gate.byteSize() + up.byteSize() + down.byteSize();
  }
}
