package tips.drain.model;

import tips.drain.DrainException;

/** config.json (or generation_config.json) is missing a field, has an invalid value, or is not JSON. */
public class ConfigException extends DrainException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
