package tips.drain.template.jinja;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's value semantics, which Jinja2 inherits: truthiness, {@code str()}, {@code repr()}, equality and
 * ordering, whitespace. Values are String, Long, Double, Boolean, null (None), List, Map, {@link Undefined},
 * {@link Namespace} and callables.
 */
final class Py {
  private Py() {}

  /** Python's {@code str.isspace()} for one char. */
  static boolean isSpace(char c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
  }

  static String strip(String s, String chars) {
    return rstrip(lstrip(s, chars), chars);
  }

  static String rstrip(String s) {
    return rstrip(s, null);
  }

  /** {@code s.rstrip(chars)}; null chars = whitespace. */
  static String rstrip(String s, String chars) {
    int end = s.length();
    while (end > 0 && stripped(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(0, end);
  }

  static String lstrip(String s, String chars) {
    int start = 0;
    while (start < s.length() && stripped(s.charAt(start), chars)) {
      start++;
    }
    return s.substring(start);
  }

  private static boolean stripped(char c, String chars) {
    return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
  }

  static boolean truthy(Object v) {
    if (v == null || v instanceof Undefined) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0.0;
    }
    if (v instanceof Number n) {
      return n.doubleValue() != 0.0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  /** Python's {@code str(v)}, as {@code {{ v }}} prints it. */
  static String str(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Undefined) {
      return "";
    }
    return repr(v);
  }

  /** Python's {@code repr(v)}. */
  static String repr(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof String s) {
      return reprString(s);
    }
    if (v instanceof Double d) {
      return reprFloat(d);
    }
    if (v instanceof Number n) {
      return n.toString();
    }
    if (v instanceof Undefined) {
      return "";
    }
    if (v instanceof List<?> list) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < list.size(); i++) {
        sb.append(i > 0 ? ", " : "").append(repr(list.get(i)));
      }
      return sb.append(']').toString();
    }
    if (v instanceof Map<?, ?> map) {
      StringBuilder sb = new StringBuilder("{");
      Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue())).append(it.hasNext() ? ", " : "");
      }
      return sb.append('}').toString();
    }
    return v.toString();
  }

  static String reprString(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder sb = new StringBuilder().append(quote);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c == quote) {
            sb.append('\\').append(c);
          } else if (c < 0x20 || c == 0x7F) {
            sb.append(String.format("\\x%02x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append(quote).toString();
  }

  /** Python's float repr: shortest round-trip digits, {@code 1.0}, {@code 1e-05}, {@code 1e+16}, {@code inf}. */
  static String reprFloat(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    int exponent = b.precision() - b.scale() - 1;
    if (exponent < -4 || exponent >= 16) {
      String digits = b.unscaledValue().abs().toString();
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
    String plain = b.toPlainString();
    return plain.contains(".") ? plain : plain + ".0";
  }

  static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double || v instanceof Boolean || v instanceof Integer;
  }

  static double toDouble(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return ((Number) v).doubleValue();
  }

  static long toLong(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return ((Number) v).longValue();
  }

  static boolean isIntegral(Object v) {
    return v instanceof Long || v instanceof Integer || v instanceof Boolean;
  }

  /** Python's {@code ==}. */
  static boolean eq(Object a, Object b) {
    if (a instanceof Undefined || b instanceof Undefined) {
      return a instanceof Undefined && b instanceof Undefined;
    }
    if (a == null || b == null) {
      return a == b;
    }
    if (isNumber(a) && isNumber(b)) {
      return isIntegral(a) && isIntegral(b) ? toLong(a) == toLong(b) : toDouble(a) == toDouble(b);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /** Python's ordering for numbers, strings and lists; null if the values cannot be ordered. */
  static Integer compare(Object a, Object b) {
    if (isNumber(a) && isNumber(b)) {
      return isIntegral(a) && isIntegral(b) ? Long.compare(toLong(a), toLong(b)) : Double.compare(toDouble(a), toDouble(b));
    }
    if (a instanceof String x && b instanceof String y) {
      return Integer.signum(x.compareTo(y)) == 0 ? 0 : comparePoints(x, y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return compare(x.get(i), y.get(i));
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    return null;
  }

  private static int comparePoints(String x, String y) {
    int i = 0;
    int j = 0;
    while (i < x.length() && j < y.length()) {
      int a = x.codePointAt(i);
      int b = y.codePointAt(j);
      if (a != b) {
        return Integer.compare(a, b);
      }
      i += Character.charCount(a);
      j += Character.charCount(b);
    }
    return Integer.compare(x.length() - i, y.length() - j);
  }

  /** Python's type name, for error messages. */
  static String typeName(Object v) {
    if (v == null) {
      return "NoneType";
    }
    if (v instanceof String) {
      return "str";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Long || v instanceof Integer) {
      return "int";
    }
    if (v instanceof Double) {
      return "float";
    }
    if (v instanceof List) {
      return "list";
    }
    if (v instanceof Map) {
      return "dict";
    }
    if (v instanceof Undefined) {
      return "undefined";
    }
    if (v instanceof Namespace) {
      return "Namespace";
    }
    return v.getClass().getSimpleName();
  }
}
