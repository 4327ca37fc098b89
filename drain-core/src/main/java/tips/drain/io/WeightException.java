package tips.drain.io;

import tips.drain.DrainException;

/** A weight is missing or has the wrong shape or dtype: the message names the tensor and both shapes. */
public class WeightException extends DrainException {
  public WeightException(String message) {
    super(message);
  }
}
