package tips.drain.model;

import java.nio.file.Path;

/** Small helpers for resolvers: required fields and range checks with messages naming file and field. */
public final class Require {
  private Require() {}

  public static int positive(Integer value, String field, Path file) {
    if (value == null) {
      throw new ConfigException(file + ": missing required field '" + field + "'");
    }
    if (value <= 0) {
      throw new ConfigException(file + ": '" + field + "' must be positive, got " + value);
    }
    return value;
  }

  public static int positiveOr(Integer value, int fallback, String field, Path file) {
    return value == null ? fallback : positive(value, field, file);
  }

  public static double positiveOr(Double value, double fallback, String field, Path file) {
    if (value == null) {
      return fallback;
    }
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new ConfigException(file + ": '" + field + "' must be a positive number, got " + value);
    }
    return value;
  }

  public static void check(boolean condition, Path file, String message) {
    if (!condition) {
      throw new ConfigException(file + ": " + message);
    }
  }
}
