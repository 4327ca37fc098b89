package tips.drain.io;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key-value metadata of a GGUF file, in file order, with typed getters whose errors name the file and the
 * key: {@code model.gguf: metadata 'llama.block_count' is a STRING, expected an integer}.
 */
public final class GgufMetadata {
  private final String source;
  private final Map<String, Object> values;
  private final Map<String, GgufValueType> types;

  GgufMetadata(String source, Map<String, Object> values, Map<String, GgufValueType> types) {
    this.source = source;
    this.values = Collections.unmodifiableMap(values);
    this.types = Collections.unmodifiableMap(types);
  }

  /** Every key and value, in file order. */
  public Map<String, Object> values() {
    return values;
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  /** The stored type of {@code key}, if present. */
  public Optional<GgufValueType> type(String key) {
    return Optional.ofNullable(types.get(key));
  }

  public String string(String key) {
    return as(key, require(key), String.class, "a string");
  }

  public Optional<String> optString(String key) {
    return has(key) ? Optional.of(string(key)) : Optional.empty();
  }

  /** An integer value of any integer type that fits in an int. */
  public int integer(String key) {
    long v = as(key, require(key), Long.class, "an integer");
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw error(key, "is " + v + ", out of range");
    }
    return (int) v;
  }

  public Optional<Integer> optInteger(String key) {
    return has(key) ? Optional.of(integer(key)) : Optional.empty();
  }

  /**
   * A token id ({@code tokenizer.ggml.bos_token_id}...): empty when absent or when it is llama.cpp's "none"
   * (-1, or 0xFFFFFFFF as an unsigned 32-bit value).
   */
  public Optional<Integer> optTokenId(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    long v = as(key, require(key), Long.class, "an integer");
    return v < 0 || v >= Integer.MAX_VALUE ? Optional.empty() : Optional.of((int) v);
  }

  /** A FLOAT32 or FLOAT64 (or integer) value. */
  public double number(String key) {
    Object v = require(key);
    if (v instanceof Float f) {
      return f;
    }
    if (v instanceof Double d) {
      return d;
    }
    if (v instanceof Long l) {
      return l;
    }
    throw wrongType(key, "a number");
  }

  public Optional<Double> optNumber(String key) {
    return has(key) ? Optional.of(number(key)) : Optional.empty();
  }

  public boolean bool(String key) {
    return as(key, require(key), Boolean.class, "a boolean");
  }

  public Optional<Boolean> optBool(String key) {
    return has(key) ? Optional.of(bool(key)) : Optional.empty();
  }

  public GgufArray array(String key) {
    return as(key, require(key), GgufArray.class, "an array");
  }

  /** An array of strings. */
  public List<String> strings(String key) {
    GgufArray a = array(key);
    if (a.elementType() != GgufValueType.STRING) {
      throw error(key, "is an array of " + a.elementType() + ", expected strings");
    }
    return a.values().stream().map(String.class::cast).toList();
  }

  /** An array of numbers as floats. */
  public float[] floats(String key) {
    GgufArray a = array(key);
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = a.values().get(i);
      if (v instanceof Float f) {
        out[i] = f;
      } else if (v instanceof Double d) {
        out[i] = d.floatValue();
      } else if (v instanceof Long l) {
        out[i] = l;
      } else {
        throw error(key, "is an array of " + a.elementType() + ", expected numbers");
      }
    }
    return out;
  }

  /** An array of integers that fit in an int. */
  public int[] ints(String key) {
    GgufArray a = array(key);
    if (!a.elementType().isInteger()) {
      throw error(key, "is an array of " + a.elementType() + ", expected integers");
    }
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      long v = (Long) a.values().get(i);
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw error(key, "[" + i + "] is " + v + ", out of range");
      }
      out[i] = (int) v;
    }
    return out;
  }

  private Object require(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw new FormatException(source + ": metadata key '" + key + "' is missing");
    }
    return v;
  }

  private <T> T as(String key, Object v, Class<T> type, String expected) {
    if (!type.isInstance(v)) {
      throw wrongType(key, expected);
    }
    return type.cast(v);
  }

  private FormatException wrongType(String key, String expected) {
    return error(key, "is " + types.get(key) + ", expected " + expected);
  }

  private FormatException error(String key, String what) {
    return new FormatException(source + ": metadata '" + key + "' " + what);
  }
}
