package tips.drain.template.jinja;

import java.util.ArrayList;
import java.util.List;

/** Python's {@code + - * / // % **} on template values. */
final class Arithmetic {
  private Arithmetic() {}

  static Object apply(Interpreter in, Node.Binary b, Object x, Object y) {
    String op = b.op();
    if (x instanceof Undefined u) {
      throw in.error(b, "'" + u.name() + "' is undefined (left of '" + op + "')");
    }
    if (y instanceof Undefined u) {
      throw in.error(b, "'" + u.name() + "' is undefined (right of '" + op + "')");
    }
    if (Py.isNumber(x) && Py.isNumber(y)) {
      return numeric(in, b, op, x, y);
    }
    if (op.equals("+") && x instanceof String s && y instanceof String t) {
      return s + t;
    }
    if (op.equals("+") && x instanceof List<?> s && y instanceof List<?> t) {
      List<Object> out = new ArrayList<>(s);
      out.addAll(t);
      return out;
    }
    if (op.equals("*") && (x instanceof String || x instanceof List) && Py.isIntegral(y)) {
      return repeat(in, b, x, Py.toLong(y));
    }
    if (op.equals("*") && Py.isIntegral(x) && (y instanceof String || y instanceof List)) {
      return repeat(in, b, y, Py.toLong(x));
    }
    throw in.error(b, "unsupported operand type(s) for " + op + ": '" + Py.typeName(x) + "' and '" + Py.typeName(y) + "'");
  }

  private static Object repeat(Interpreter in, Node at, Object v, long times) {
    if (v instanceof String s) {
      if (times <= 0 || s.isEmpty()) {
        return "";
      }
      in.reserveChars(at, times > Limits.MAX_CHARS ? times : times * s.length());
      return s.repeat((int) times);
    }
    int size = ((List<?>) v).size();
    if (times > 0 && size > 0) {
      in.reserveItems(at, times > Limits.MAX_ITEMS ? times : times * size);
    }
    List<Object> out = new ArrayList<>();
    for (long i = 0; i < times; i++) {
      out.addAll((List<?>) v);
    }
    return out;
  }

  private static Object numeric(Interpreter in, Node.Binary b, String op, Object x, Object y) {
    boolean ints = Py.isIntegral(x) && Py.isIntegral(y);
    if (ints) {
      long a = Py.toLong(x);
      long c = Py.toLong(y);
      switch (op) {
        case "+" -> {
          return a + c;
        }
        case "-" -> {
          return a - c;
        }
        case "*" -> {
          return a * c;
        }
        case "/" -> {
          if (c == 0) {
            throw in.error(b, "division by zero");
          }
          return (double) a / c;
        }
        case "//" -> {
          if (c == 0) {
            throw in.error(b, "integer division or modulo by zero");
          }
          return Math.floorDiv(a, c);
        }
        case "%" -> {
          if (c == 0) {
            throw in.error(b, "integer division or modulo by zero");
          }
          return Math.floorMod(a, c);
        }
        case "**" -> {
          if (c < 0) {
            return Math.pow(a, c);
          }
          long r = 1;
          for (long i = 0; i < c; i++) {
            r *= a;
          }
          return r;
        }
        default -> throw in.error(b, "unknown operator " + op);
      }
    }
    double a = Py.toDouble(x);
    double c = Py.toDouble(y);
    return switch (op) {
      case "+" -> a + c;
      case "-" -> a - c;
      case "*" -> a * c;
      case "/" -> {
        if (c == 0) {
          throw in.error(b, "float division by zero");
        }
        yield a / c;
      }
      case "//" -> {
        if (c == 0) {
          throw in.error(b, "float divmod()");
        }
        yield Math.floor(a / c);
      }
      case "%" -> {
        if (c == 0) {
          throw in.error(b, "float modulo");
        }
        double r = a % c;
        yield r != 0 && (r < 0) != (c < 0) ? r + c : r;
      }
      case "**" -> Math.pow(a, c);
      default -> throw in.error(b, "unknown operator " + op);
    };
  }
}
