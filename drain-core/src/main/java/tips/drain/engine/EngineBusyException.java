package tips.drain.engine;

import tips.drain.DrainException;

/**
 * A request the engine cannot take now or ever: its queue is full, its KV cache alone exceeds the engine's KV
 * budget, or the engine is closed. Nothing of the request ran.
 */
public class EngineBusyException extends DrainException {
  public EngineBusyException(String message) {
    super(message);
  }
}
