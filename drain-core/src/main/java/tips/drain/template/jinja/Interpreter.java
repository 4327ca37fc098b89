package tips.drain.template.jinja;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tips.drain.template.jinja.Node.Expr;
import tips.drain.template.jinja.Node.Stmt;

/** Renders a parsed template: runs the statements, evaluates expressions with Python/Jinja2 semantics. */
final class Interpreter {
  private final String name;
  private final Map<String, Object> globals;
  private long steps;
  private int callDepth;

  Interpreter(String name, Map<String, Object> globals) {
    this.name = name;
    this.globals = globals;
  }

  /** Variables of one block level; for-loop bodies and macros get their own, {@code if} does not. */
  static final class Scope {
    final Map<String, Object> vars = new HashMap<>();
    final Scope parent;

    Scope(Scope parent) {
      this.parent = parent;
    }

    Object lookup(String name) {
      for (Scope s = this; s != null; s = s.parent) {
        if (s.vars.containsKey(name)) {
          return s.vars.get(name);
        }
      }
      return MISSING;
    }
  }

  private static final Object MISSING = new Object();

  private static final class BreakSignal extends RuntimeException {
    BreakSignal() {
      super(null, null, false, false);
    }
  }

  private static final class ContinueSignal extends RuntimeException {
    ContinueSignal() {
      super(null, null, false, false);
    }
  }

  /** A macro bound to the scope it was defined in. */
  private record MacroValue(Node.Macro macro, Scope scope) {}

  JinjaException error(Node node, String message) {
    return new JinjaException(name, node.line(), message);
  }

  /** Counts one statement or expression against {@link Limits#MAX_STEPS}. */
  private void step(Node at) {
    if (++steps > Limits.MAX_STEPS) {
      throw error(at, "the template ran more than " + Limits.MAX_STEPS + " steps (a loop that does not end?)");
    }
  }

  /** Refuses, before building it, a string of {@code chars} characters above {@link Limits#MAX_CHARS}. */
  void reserveChars(Node at, long chars) {
    if (chars > Limits.MAX_CHARS) {
      throw error(at, "the template builds a string of " + chars + " characters (at most " + Limits.MAX_CHARS
          + " allowed)");
    }
  }

  /** Refuses, before building it, a list of {@code items} items above {@link Limits#MAX_ITEMS}. */
  void reserveItems(Node at, long items) {
    if (items > Limits.MAX_ITEMS) {
      throw error(at, "the template builds a list of " + items + " items (at most " + Limits.MAX_ITEMS + " allowed)");
    }
  }

  private Object checked(Object value, Node at) {
    if (value instanceof String s) {
      reserveChars(at, s.length());
    } else if (value instanceof List<?> list) {
      reserveItems(at, list.size());
    }
    return value;
  }

  // ---------------------------------------------------------------- statements

  void render(List<Stmt> body, Scope scope, StringBuilder out) {
    for (Stmt s : body) {
      execute(s, scope, out);
    }
  }

  private void execute(Stmt stmt, Scope scope, StringBuilder out) {
    step(stmt);
    executeUnchecked(stmt, scope, out);
    reserveChars(stmt, out.length());
  }

  private void executeUnchecked(Stmt stmt, Scope scope, StringBuilder out) {
    switch (stmt) {
      case Node.Text t -> out.append(t.text());
      case Node.Output o -> out.append(Py.str(eval(o.expr(), scope)));
      case Node.If i -> {
        for (int k = 0; k < i.tests().size(); k++) {
          if (Py.truthy(eval(i.tests().get(k), scope))) {
            render(i.bodies().get(k), scope, out);
            return;
          }
        }
        render(i.otherwise(), scope, out);
      }
      case Node.For f -> forLoop(f, scope, out);
      case Node.Set s -> set(s, scope);
      case Node.SetBlock b -> {
        StringBuilder sb = new StringBuilder();
        render(b.body(), scope, sb);
        scope.vars.put(b.name(), sb.toString());
      }
      case Node.Macro m -> scope.vars.put(m.name(), new MacroValue(m, scope));
      case Node.Break b -> throw new BreakSignal();
      case Node.Continue c -> throw new ContinueSignal();
    }
  }

  private void forLoop(Node.For f, Scope scope, StringBuilder out) {
    Object iterable = eval(f.iterable(), scope);
    List<Object> items = iterate(iterable, f);
    if (f.filter() != null) {
      List<Object> kept = new ArrayList<>();
      for (Object item : items) {
        step(f);
        Scope probe = new Scope(scope);
        bindTargets(f, item, probe);
        if (Py.truthy(eval(f.filter(), probe))) {
          kept.add(item);
        }
      }
      items = kept;
    }
    if (items.isEmpty()) {
      render(f.otherwise(), scope, out);
      return;
    }
    Loop loop = new Loop(items);
    for (int i = 0; i < items.size(); i++) {
      step(f);
      Scope body = new Scope(scope);
      loop.index0 = i;
      body.vars.put("loop", loop);
      bindTargets(f, items.get(i), body);
      try {
        render(f.body(), body, out);
      } catch (ContinueSignal c) {
        // next iteration
      } catch (BreakSignal b) {
        break;
      }
    }
  }

  private void bindTargets(Node.For f, Object item, Scope scope) {
    if (f.targets().size() == 1) {
      scope.vars.put(f.targets().get(0), item);
      return;
    }
    List<Object> values = iterate(item, f);
    if (values.size() != f.targets().size()) {
      throw error(f, "cannot unpack " + values.size() + " values into " + f.targets().size() + " loop variables");
    }
    for (int k = 0; k < values.size(); k++) {
      scope.vars.put(f.targets().get(k), values.get(k));
    }
  }

  private void set(Node.Set s, Scope scope) {
    Object value = eval(s.value(), scope);
    if (s.attribute() != null) {
      Object target = lookup(s.names().get(0), scope);
      if (!(target instanceof Namespace ns)) {
        throw error(s, "cannot assign attribute '" + s.attribute() + "' on " + Py.typeName(target)
            + " '" + s.names().get(0) + "' (only a namespace() allows it)");
      }
      ns.attributes.put(s.attribute(), value);
      return;
    }
    if (s.names().size() == 1) {
      scope.vars.put(s.names().get(0), value);
      return;
    }
    List<Object> values = iterate(value, s);
    if (values.size() != s.names().size()) {
      throw error(s, "cannot unpack " + values.size() + " values into " + s.names().size() + " names");
    }
    for (int k = 0; k < values.size(); k++) {
      scope.vars.put(s.names().get(k), values.get(k));
    }
  }

  /** The items a for loop visits: list elements, dict keys, string characters; undefined is empty. */
  List<Object> iterate(Object value, Node at) {
    if (value instanceof List<?> list) {
      return new ArrayList<>(list);
    }
    if (value instanceof Map<?, ?> map) {
      return new ArrayList<>(map.keySet());
    }
    if (value instanceof String s) {
      List<Object> chars = new ArrayList<>();
      s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
      return chars;
    }
    if (value instanceof Undefined) {
      return new ArrayList<>();
    }
    throw error(at, "'" + Py.typeName(value) + "' object is not iterable");
  }

  // ---------------------------------------------------------------- expressions

  Object eval(Expr expr, Scope scope) {
    step(expr);
    return checked(evalUnchecked(expr, scope), expr);
  }

  private Object evalUnchecked(Expr expr, Scope scope) {
    return switch (expr) {
      case Node.Literal l -> l.value();
      case Node.Name n -> lookup(n.name(), scope);
      case Node.ListExpr l -> {
        List<Object> items = new ArrayList<>(l.items().size());
        for (Expr e : l.items()) {
          items.add(eval(e, scope));
        }
        yield items;
      }
      case Node.DictExpr d -> {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int k = 0; k < d.keys().size(); k++) {
          map.put(eval(d.keys().get(k), scope), eval(d.values().get(k), scope));
        }
        yield map;
      }
      case Node.GetAttr g -> getAttribute(eval(g.target(), scope), g.name(), g);
      case Node.GetItem g -> getItem(eval(g.target(), scope), eval(g.index(), scope), g);
      case Node.Slice s -> slice(eval(s.target(), scope), s, scope);
      case Node.Call c -> call(eval(c.callee(), scope), c, scope);
      case Node.Filter f -> Filters.apply(this, f, eval(f.value(), scope), evalArgs(f.args(), scope),
          evalKwargs(f.kwNames(), f.kwValues(), scope));
      case Node.Test t -> JinjaTests.apply(this, t, eval(t.value(), scope), evalArgs(t.args(), scope)) != t.negated();
      case Node.Unary u -> unary(u, eval(u.operand(), scope));
      case Node.Binary b -> binary(b, scope);
      case Node.Compare c -> compare(c, scope);
      case Node.Conditional c -> Py.truthy(eval(c.test(), scope)) ? eval(c.then(), scope)
          : c.otherwise() == null ? new Undefined("conditional expression") : eval(c.otherwise(), scope);
    };
  }

  private Object lookup(String name, Scope scope) {
    Object v = scope.lookup(name);
    if (v != MISSING) {
      return v;
    }
    if (globals.containsKey(name)) {
      return globals.get(name);
    }
    return new Undefined(name);
  }

  List<Object> evalArgs(List<Expr> args, Scope scope) {
    List<Object> out = new ArrayList<>(args.size());
    for (Expr e : args) {
      out.add(eval(e, scope));
    }
    return out;
  }

  Map<String, Object> evalKwargs(List<String> names, List<Expr> values, Scope scope) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int k = 0; k < names.size(); k++) {
      out.put(names.get(k), eval(values.get(k), scope));
    }
    return out;
  }

  /** Jinja2's {@code getattr}: a Python attribute or method first, then the item of that name. */
  Object getAttribute(Object target, String attr, Node at) {
    if (target instanceof Undefined u) {
      throw error(at, "'" + u.name() + "' is undefined (while reading ." + attr + ")");
    }
    if (target instanceof Loop loop) {
      return loop.attribute(attr);
    }
    if (target instanceof Namespace ns) {
      return ns.attributes.containsKey(attr) ? ns.attributes.get(attr) : new Undefined(attr);
    }
    if (Methods.has(target, attr)) {
      return (JinjaFunction) (args, kwargs) -> Methods.call(this, at, target, attr, args, kwargs);
    }
    if (target instanceof Map<?, ?> map && map.containsKey(attr)) {
      return map.get(attr);
    }
    return new Undefined(attr);
  }

  /** Jinja2's {@code getitem}: the item, else the attribute of that name, else undefined. */
  Object getItem(Object target, Object key, Node at) {
    if (target instanceof Undefined u) {
      throw error(at, "'" + u.name() + "' is undefined (while reading [" + Py.repr(key) + "])");
    }
    if (target instanceof List<?> list && Py.isIntegral(key)) {
      long i = Py.toLong(key);
      if (i < 0) {
        i += list.size();
      }
      return i >= 0 && i < list.size() ? list.get((int) i) : new Undefined("[" + key + "]");
    }
    if (target instanceof String s && Py.isIntegral(key)) {
      int[] cps = s.codePoints().toArray();
      long i = Py.toLong(key);
      if (i < 0) {
        i += cps.length;
      }
      return i >= 0 && i < cps.length ? new String(cps, (int) i, 1) : new Undefined("[" + key + "]");
    }
    if (target instanceof Map<?, ?> map) {
      if (map.containsKey(key)) {
        return map.get(key);
      }
      if (key instanceof Long l && map.containsKey(l.intValue())) {
        return map.get(l.intValue());
      }
    }
    if (key instanceof String s) {
      return getAttribute(target, s, at);
    }
    return new Undefined("[" + Py.repr(key) + "]");
  }

  private Object slice(Object target, Node.Slice s, Scope scope) {
    Object startV = s.start() == null ? null : eval(s.start(), scope);
    Object stopV = s.stop() == null ? null : eval(s.stop(), scope);
    Object stepV = s.step() == null ? null : eval(s.step(), scope);
    List<Object> items;
    boolean isString = target instanceof String;
    if (isString) {
      items = iterate(target, s);
    } else if (target instanceof List<?> list) {
      items = new ArrayList<>(list);
    } else {
      throw error(s, "cannot slice " + Py.typeName(target));
    }
    int n = items.size();
    long step = stepV == null ? 1 : integer(stepV, s, "slice step");
    if (step == 0) {
      throw error(s, "slice step cannot be zero");
    }
    long start;
    long stop;
    if (step > 0) {
      start = startV == null ? 0 : clamp(integer(startV, s, "slice start"), n, 0, n);
      stop = stopV == null ? n : clamp(integer(stopV, s, "slice stop"), n, 0, n);
    } else {
      start = startV == null ? n - 1 : clamp(integer(startV, s, "slice start"), n, -1, n - 1);
      stop = stopV == null ? -1 : clamp(integer(stopV, s, "slice stop"), n, -1, n - 1);
    }
    List<Object> out = new ArrayList<>();
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.add(items.get((int) i));
    }
    if (isString) {
      StringBuilder sb = new StringBuilder();
      out.forEach(o -> sb.append((String) o));
      return sb.toString();
    }
    return out;
  }

  /** Python's slice index normalization: negative counts from the end, then clamp to [lo, hi]. */
  private static long clamp(long i, int n, long lo, long hi) {
    if (i < 0) {
      i += n;
    }
    return Math.max(lo, Math.min(hi, i));
  }

  long integer(Object v, Node at, String what) {
    if (!Py.isIntegral(v)) {
      throw error(at, what + " must be an integer, got " + Py.typeName(v));
    }
    return Py.toLong(v);
  }

  private Object call(Object callee, Node.Call c, Scope scope) {
    List<Object> args = evalArgs(c.args(), scope);
    Map<String, Object> kwargs = evalKwargs(c.kwNames(), c.kwValues(), scope);
    if (callee instanceof JinjaFunction f) {
      try {
        return f.call(args, kwargs);
      } catch (JinjaException e) {
        throw e;
      } catch (RuntimeException e) {
        throw error(c, e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }
    if (callee instanceof MacroValue m) {
      return callMacro(m, args, kwargs, c);
    }
    if (callee instanceof Undefined u) {
      throw error(c, "'" + u.name() + "' is undefined and cannot be called");
    }
    throw error(c, "'" + Py.typeName(callee) + "' object is not callable");
  }

  private Object callMacro(MacroValue m, List<Object> args, Map<String, Object> kwargs, Node at) {
    Node.Macro macro = m.macro();
    List<String> params = macro.params();
    if (args.size() > params.size()) {
      throw error(at, "macro '" + macro.name() + "' takes " + params.size() + " arguments, got " + args.size());
    }
    Scope scope = new Scope(m.scope());
    int firstDefault = params.size() - macro.defaults().size();
    for (int k = 0; k < params.size(); k++) {
      String p = params.get(k);
      Object v;
      if (k < args.size()) {
        v = args.get(k);
      } else if (kwargs.containsKey(p)) {
        v = kwargs.get(p);
      } else if (k >= firstDefault) {
        v = eval(macro.defaults().get(k - firstDefault), scope);
      } else {
        v = new Undefined(p);
      }
      scope.vars.put(p, v);
    }
    for (String k : kwargs.keySet()) {
      if (!params.contains(k)) {
        throw error(at, "macro '" + macro.name() + "' has no argument '" + k + "'");
      }
    }
    if (++callDepth > Limits.MAX_CALL_DEPTH) {
      throw error(at, "macro '" + macro.name() + "' nested more than " + Limits.MAX_CALL_DEPTH
          + " calls deep (a recursion that does not end?)");
    }
    try {
      StringBuilder sb = new StringBuilder();
      render(macro.body(), scope, sb);
      return sb.toString();
    } finally {
      callDepth--;
    }
  }

  private Object unary(Node.Unary u, Object v) {
    return switch (u.op()) {
      case "not" -> !Py.truthy(v);
      case "-" -> {
        if (v instanceof Double d) {
          yield -d;
        }
        if (Py.isIntegral(v)) {
          yield -Py.toLong(v);
        }
        throw error(u, "bad operand type for unary -: '" + Py.typeName(v) + "'");
      }
      default -> {
        if (!Py.isNumber(v)) {
          throw error(u, "bad operand type for unary +: '" + Py.typeName(v) + "'");
        }
        yield v;
      }
    };
  }

  private Object binary(Node.Binary b, Scope scope) {
    Object left = eval(b.left(), scope);
    switch (b.op()) {
      case "and" -> {
        return Py.truthy(left) ? eval(b.right(), scope) : left;
      }
      case "or" -> {
        return Py.truthy(left) ? left : eval(b.right(), scope);
      }
      case "~" -> {
        String x = Py.str(left);
        String y = Py.str(eval(b.right(), scope));
        reserveChars(b, (long) x.length() + y.length());
        return x + y;
      }
      default -> {
        return Arithmetic.apply(this, b, left, eval(b.right(), scope));
      }
    }
  }

  private Object compare(Node.Compare c, Scope scope) {
    Object left = eval(c.operands().get(0), scope);
    for (int k = 0; k < c.ops().size(); k++) {
      Object right = eval(c.operands().get(k + 1), scope);
      if (!compareOne(c, c.ops().get(k), left, right)) {
        return false;
      }
      left = right;
    }
    return true;
  }

  private boolean compareOne(Node at, String op, Object a, Object b) {
    switch (op) {
      case "==" -> {
        return Py.eq(a, b);
      }
      case "!=" -> {
        return !Py.eq(a, b);
      }
      case "in" -> {
        return contains(at, b, a);
      }
      case "not in" -> {
        return !contains(at, b, a);
      }
      default -> {
        Integer cmp = Py.compare(a, b);
        if (cmp == null) {
          throw error(at, "'" + op + "' not supported between instances of '" + Py.typeName(a) + "' and '"
              + Py.typeName(b) + "'");
        }
        return switch (op) {
          case "<" -> cmp < 0;
          case ">" -> cmp > 0;
          case "<=" -> cmp <= 0;
          default -> cmp >= 0;
        };
      }
    }
  }

  /** Python's {@code item in container}. */
  boolean contains(Node at, Object container, Object item) {
    if (container instanceof String s) {
      if (!(item instanceof String sub)) {
        throw error(at, "'in <string>' requires string as left operand, not " + Py.typeName(item));
      }
      return s.contains(sub);
    }
    if (container instanceof List<?> list) {
      for (Object o : list) {
        if (Py.eq(o, item)) {
          return true;
        }
      }
      return false;
    }
    if (container instanceof Map<?, ?> map) {
      return map.containsKey(item);
    }
    if (container instanceof Undefined) {
      return false;
    }
    throw error(at, "argument of type '" + Py.typeName(container) + "' is not iterable");
  }
}
