package tips.drain.tensor;

import java.util.function.UnaryOperator;

/**
 * A matrix computed on top of a stored base matrix, e.g. a LoRA adapter applied at run time
 * ({@code W·x + scale·B·(A·x)}). Transforming a model's stored weights (quantize-on-load) transforms the base
 * and keeps what is on top: see {@link #mapBase}.
 */
public interface AdaptedMatrix extends Matrix {

  /** The stored matrix underneath. */
  Matrix base();

  /** The same adaptation over another base of the same shape. */
  AdaptedMatrix withBase(Matrix base);

  /** {@code f(m)}, or for an adapted matrix the same adaptation over {@code f(base)}. */
  static Matrix mapBase(Matrix m, UnaryOperator<Matrix> f) {
    return m instanceof AdaptedMatrix a ? a.withBase(mapBase(a.base(), f)) : f.apply(m);
  }
}
