package tips.drain.tensor;

/**
 * The input as it is, {@code x[0 .. cols)}: what dense matrices (and any matrix without an encoding of its own)
 * read as their prepared input. Preparing it copies nothing.
 */
public record FloatInput(float[] x, int cols) implements PreparedInput {

  /** The floats, unchanged. */
  public enum Encoding implements InputKind.Encoding {
    F32
  }

  public FloatInput {
    if (x.length < cols) {
      throw new IllegalArgumentException("input of " + x.length + " floats for " + cols + " columns");
    }
  }

  /** The kind of a float input of {@code cols} columns. */
  public static InputKind kind(int cols) {
    return new InputKind(Encoding.F32, cols);
  }

  @Override
  public InputKind kind() {
    return kind(cols);
  }

  /** {@code input}'s floats, checked to be a float input of {@code matrix}'s width. */
  static float[] of(PreparedInput input, Matrix matrix) {
    if (!(input instanceof FloatInput f) || f.cols != matrix.cols()) {
      throw new IllegalArgumentException(matrix + " was given an input prepared for another kind of matrix: " + input.kind());
    }
    return f.x;
  }
}
