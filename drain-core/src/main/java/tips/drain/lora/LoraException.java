package tips.drain.lora;

import tips.drain.DrainException;

/** A LoRA adapter that cannot be read, or does not fit its base model; the message names the file, tensor or field. */
public class LoraException extends DrainException {
  public LoraException(String message) {
    super(message);
  }

  public LoraException(String message, Throwable cause) {
    super(message, cause);
  }
}
