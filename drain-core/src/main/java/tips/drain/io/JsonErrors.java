package tips.drain.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * JSON errors in DRAIN's words: where in the file (line and column, or the field) and what was expected, never
 * the parser's internals (its class names, {@code [Source: ...]}, coercion settings).
 */
public final class JsonErrors {
  /** Jackson's location suffixes and hints, cut from its messages. */
  private static final Pattern INTERNALS = Pattern.compile(
      "(?s)\\s*(\\(start marker at )?\\[Source: .*|\\s*\\(but might if coercion.*|\\s*at \\[Source: .*");

  private JsonErrors() {}

  /** {@code "not valid JSON at line 3, column 7: unexpected end-of-input"}: a syntax error, one line. */
  public static String syntax(JsonProcessingException e) {
    return "not valid JSON" + location(e.getLocation()) + ": " + clean(e.getOriginalMessage());
  }

  /** {@code "field 'rope_scaling.factor' must be a number, got \"x\""}: a value of the wrong type. */
  public static String mapping(JsonMappingException e, JsonNode root) {
    String field = field(e.getPath());
    JsonNode value = root == null || field.isEmpty() ? null : root.at(pointer(e.getPath()));
    Class<?> type = e instanceof MismatchedInputException m ? m.getTargetType() : null;
    String got = value == null || value.isMissingNode() ? "" : ", got " + describe(value);
    String what = e.getCause() instanceof InputCoercionException c
        ? "is out of range for " + expected(c.getTargetType())
        : type == null ? "has an invalid value" : "must be " + expected(type);
    return (field.isEmpty() ? "the file " : "field '" + field + "' ") + what + got;
  }

  /** An error found while binding a tree that was read fine: no line to show, so the parser's reason, cleaned. */
  public static String outOfRange(JsonProcessingException e, JsonNode root) {
    return "a value is invalid: " + clean(e.getOriginalMessage());
  }

  /** A short rendering of a JSON value for messages (at most 60 characters). */
  public static String describe(JsonNode v) {
    if (v == null) {
      return "nothing";
    }
    String s = v.toString();
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    return "a JSON " + (type.isRecord() || Map.class.isAssignableFrom(type) ? "object" : "value");
  }

  private static String field(List<JsonMappingException.Reference> path) {
    return path.stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }

  private static String pointer(List<JsonMappingException.Reference> path) {
    return path.stream()
        .map(r -> "/" + (r.getFieldName() != null ? r.getFieldName().replace("~", "~0").replace("/", "~1")
            : String.valueOf(r.getIndex())))
        .collect(Collectors.joining());
  }

  private static String location(JsonLocation at) {
    if (at == null || at.getLineNr() < 1) {
      return "";
    }
    return String.format(Locale.ROOT, " at line %d, column %d", at.getLineNr(), at.getColumnNr());
  }

  private static String clean(String message) {
    if (message == null) {
      return "malformed";
    }
    String m = INTERNALS.matcher(message).replaceAll("");
    int nl = m.indexOf('\n');
    m = (nl < 0 ? m : m.substring(0, nl)).strip();
    return m.isEmpty() ? "malformed" : Character.toLowerCase(m.charAt(0)) + m.substring(1);
  }
}
