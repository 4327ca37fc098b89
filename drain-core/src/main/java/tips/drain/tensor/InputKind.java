package tips.drain.tensor;

import java.util.Objects;

/**
 * Which {@link PreparedInput} a matrix reads: an encoding of the values (the floats as they are, or one of
 * drain-quant's activation formats) at a width of {@code cols}. Matrices with equal kinds share one prepared
 * input ({@link MatrixGroup}).
 */
public record InputKind(Encoding encoding, int cols) {

  /** How a prepared input stores its values; implemented by enums, so that kinds compare by identity. */
  public interface Encoding {}

  public InputKind {
    Objects.requireNonNull(encoding);
    if (cols < 1) {
      throw new IllegalArgumentException("an input kind of " + cols + " columns");
    }
  }
}
