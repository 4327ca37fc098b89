package tips.drain.quant;

import tips.drain.DrainException;

/**
 * A matrix cannot be stored in, or opened as, a block format: its input dimension is not a whole number of
 * blocks, or the data has the wrong size. The message names the matrix, its shape and the format.
 */
public class QuantizationException extends DrainException {
  public QuantizationException(String message) {
    super(message);
  }
}
