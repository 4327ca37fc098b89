package tips.drain.template.jinja;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Jinja2 tests ({@code x is defined}, {@code is string}, {@code is none}...). */
final class JinjaTests {
  private JinjaTests() {}

  static boolean apply(Interpreter in, Node.Test t, Object v, List<Object> args) {
    Object a = args.isEmpty() ? null : args.get(0);
    return switch (t.name()) {
      case "defined" -> !(v instanceof Undefined);
      case "undefined" -> v instanceof Undefined;
      case "none" -> v == null;
      case "string" -> v instanceof String;
      case "mapping" -> v instanceof Map || v instanceof Namespace;
      case "iterable" -> v instanceof String || v instanceof List || v instanceof Map || v instanceof Undefined;
      case "sequence" -> v instanceof String || v instanceof List || v instanceof Map;
      case "number" -> Py.isNumber(v);
      case "integer" -> v instanceof Long || v instanceof Integer;
      case "float" -> v instanceof Double;
      case "boolean" -> v instanceof Boolean;
      case "true" -> Boolean.TRUE.equals(v);
      case "false" -> Boolean.FALSE.equals(v);
      case "callable" -> v instanceof JinjaFunction;
      case "even" -> in.integer(v, t, "value of 'even'") % 2 == 0;
      case "odd" -> in.integer(v, t, "value of 'odd'") % 2 != 0;
      case "divisibleby" -> in.integer(v, t, "value") % in.integer(a, t, "divisor") == 0;
      case "eq", "equalto", "==" -> Py.eq(v, a);
      case "ne", "!=" -> !Py.eq(v, a);
      case "lt", "lessthan", "<" -> order(in, t, v, a) < 0;
      case "le", "<=" -> order(in, t, v, a) <= 0;
      case "gt", "greaterthan", ">" -> order(in, t, v, a) > 0;
      case "ge", ">=" -> order(in, t, v, a) >= 0;
      case "in" -> in.contains(t, a, v);
      case "sameas" -> v == a || (v != null && Py.eq(v, a) && (v instanceof Boolean || v instanceof Undefined));
      case "lower" -> v instanceof String s && s.equals(s.toLowerCase(Locale.ROOT));
      case "upper" -> v instanceof String s && s.equals(s.toUpperCase(Locale.ROOT));
      default -> throw in.error(t, "unknown test '" + t.name() + "'");
    };
  }

  private static int order(Interpreter in, Node at, Object a, Object b) {
    Integer c = Py.compare(a, b);
    if (c == null) {
      throw in.error(at, "cannot compare " + Py.typeName(a) + " with " + Py.typeName(b));
    }
    return c;
  }
}
