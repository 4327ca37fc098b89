package tips.drain.quant;

import tips.drain.tensor.InputKind;
import tips.drain.tensor.PreparedInput;

/**
 * A few vectors' activations, each quantized (and prepared for its decode kernel) on its own, for a batch-invariant
 * product ({@code Matrix.matvecs}: a decode step of several sequences, where a token's result must not depend on
 * what it is batched with). Of the same {@link InputKind} as one vector's activations.
 */
public sealed interface QuantizedVectors extends PreparedInput {

  /** Vectors held. */
  int count();

  /** Q8_0 / Q8_1 blocks, one {@link Q8Activations} of one vector each. */
  record Q8(Q8Activations[] vectors) implements QuantizedVectors {
    @Override
    public InputKind kind() {
      return vectors[0].kind();
    }

    @Override
    public int count() {
      return vectors.length;
    }
  }

  /** Q8_K super-blocks, one {@link Q8KActivations} of one vector each. */
  record Q8K(Q8KActivations[] vectors) implements QuantizedVectors {
    @Override
    public InputKind kind() {
      return vectors[0].kind();
    }

    @Override
    public int count() {
      return vectors.length;
    }
  }
}
