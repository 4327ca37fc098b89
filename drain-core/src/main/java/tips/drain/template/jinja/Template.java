package tips.drain.template.jinja;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tips.drain.template.jinja.Node.Stmt;

/**
 * A parsed Jinja2 template: the subset chat templates use (if/elif/else, for with loop variables and
 * break/continue, set with namespaces, macros, filters, tests, Python string methods, slicing), lexed with
 * {@code trim_blocks} and {@code lstrip_blocks} as transformers does. Immutable; render may run concurrently.
 *
 * <pre>{@code
 * Template t = Template.parse("{% for m in messages %}{{ m.role }}: {{ m.content | trim }}\n{% endfor %}", "demo");
 * String text = t.render(Map.of("messages", List.of(Map.of("role", "user", "content", " hi "))));
 * }</pre>
 */
public final class Template {
  private final String name;
  private final List<Stmt> body;

  private Template(String name, List<Stmt> body) {
    this.name = name;
    this.body = body;
  }

  /**
   * Parses {@code source}.
   *
   * @param name how errors name the template (e.g. {@code "chat template of tokenizer_config.json"})
   * @throws JinjaException with the line of the first syntax error
   */
  public static Template parse(String source, String name) {
    return new Template(name, Parser.parse(name, source));
  }

  /**
   * Renders with {@code variables} (String, Integer/Long, Double, Boolean, null, List, Map, {@link JinjaFunction})
   * and the globals {@code namespace}, {@code range} and {@code dict}.
   *
   * @throws JinjaException naming the line and what failed
   */
  public String render(Map<String, ?> variables) {
    Map<String, Object> globals = new HashMap<>(builtins());
    Interpreter.Scope scope = new Interpreter.Scope(null);
    variables.forEach((k, v) -> scope.vars.put(k, value(v)));
    StringBuilder out = new StringBuilder();
    new Interpreter(name, globals).render(body, scope, out);
    return out.toString();
  }

  /** Converts Java values to the ones templates work with (Integer → Long, Map/List copied recursively). */
  static Object value(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof CharSequence cs && !(v instanceof String)) {
      return cs.toString();
    }
    if (v instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      map.forEach((k, x) -> out.put(value(k), value(x)));
      return out;
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(x -> out.add(value(x)));
      return out;
    }
    return v;
  }

  private static Map<String, Object> builtins() {
    Map<String, Object> g = new HashMap<>();
    g.put("namespace", (JinjaFunction) (args, kwargs) -> {
      Namespace ns = new Namespace();
      for (Object a : args) {
        if (a instanceof Map<?, ?> m) {
          m.forEach((k, x) -> ns.attributes.put(Py.str(k), x));
        }
      }
      ns.attributes.putAll(kwargs);
      return ns;
    });
    g.put("dict", (JinjaFunction) (args, kwargs) -> {
      Map<Object, Object> m = new LinkedHashMap<>();
      for (Object a : args) {
        if (a instanceof Map<?, ?> x) {
          m.putAll(x);
        }
      }
      m.putAll(kwargs);
      return m;
    });
    g.put("range", (JinjaFunction) (args, kwargs) -> {
      long start = 0;
      long stop;
      long step = 1;
      if (args.size() == 1) {
        stop = Py.toLong(args.get(0));
      } else if (args.size() >= 2) {
        start = Py.toLong(args.get(0));
        stop = Py.toLong(args.get(1));
        if (args.size() > 2) {
          step = Py.toLong(args.get(2));
        }
      } else {
        throw new IllegalArgumentException("range expected at least 1 argument, got 0");
      }
      if (step == 0) {
        throw new IllegalArgumentException("range() arg 3 must not be zero");
      }
      List<Object> out = new ArrayList<>();
      for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
        out.add(i);
        if (out.size() > 1_000_000) {
          throw new IllegalArgumentException("range too large");
        }
      }
      return out;
    });
    return g;
  }
}
