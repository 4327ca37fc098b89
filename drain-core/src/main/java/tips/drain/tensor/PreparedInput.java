package tips.drain.tensor;

/**
 * An input vector in the form a kind of matrix reads it, made once for several products with the same input
 * ({@link Matrix#prepareInput}, {@link MatrixGroup}): the floats as they are ({@link FloatInput}) for dense
 * matrices, 8-bit blocks for drain-quant's. Matrices read only inputs of their own {@link #kind()}.
 */
public interface PreparedInput {

  /** What this input is: matrices whose {@link Matrix#inputKind()} equals it can read it. */
  InputKind kind();
}
