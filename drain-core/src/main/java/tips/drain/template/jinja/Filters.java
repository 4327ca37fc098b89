package tips.drain.template.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Jinja2 filters chat templates use ({@code value | trim}, {@code | tojson}, {@code | length}...). */
final class Filters {
  private Filters() {}

  static Object apply(Interpreter in, Node.Filter f, Object value, List<Object> args, Map<String, Object> kw) {
    String name = f.name();
    switch (name) {
      case "trim" -> {
        Object chars = arg(args, kw, 0, "chars", null);
        return Py.strip(Py.str(value), chars == null ? null : Py.str(chars));
      }
      case "length", "count" -> {
        return length(in, f, value);
      }
      case "default", "d" -> {
        Object fallback = arg(args, kw, 0, "default_value", "");
        boolean bool = Py.truthy(arg(args, kw, 1, "boolean", false));
        return value instanceof Undefined || (bool && !Py.truthy(value)) ? fallback : value;
      }
      case "tojson" -> {
        Object indent = arg(args, kw, 0, "indent", null);
        Object separators = kw.get("separators");
        String item = null;
        String key = null;
        if (separators instanceof List<?> seps && seps.size() == 2) {
          item = Py.str(seps.get(0));
          key = Py.str(seps.get(1));
        }
        try {
          Integer width = indent == null ? null : (int) Math.clamp(in.integer(indent, f, "indent"), -1, Limits.MAX_CHARS);
          return PyJson.dumps(value, width, item, key,
              Py.truthy(kw.getOrDefault("sort_keys", false)));
        } catch (IllegalArgumentException e) {
          throw in.error(f, e.getMessage());
        }
      }
      case "items" -> {
        if (value instanceof Undefined) {
          return new ArrayList<>();
        }
        if (!(value instanceof Map<?, ?> map)) {
          throw in.error(f, "can only get item pairs from a mapping, not " + Py.typeName(value));
        }
        return items(map);
      }
      case "upper" -> {
        return Py.str(value).toUpperCase(Locale.ROOT);
      }
      case "lower" -> {
        return Py.str(value).toLowerCase(Locale.ROOT);
      }
      case "capitalize" -> {
        return capitalize(Py.str(value));
      }
      case "title" -> {
        return title(Py.str(value));
      }
      case "string" -> {
        return Py.str(value);
      }
      case "safe" -> {
        return value;
      }
      case "escape", "e" -> {
        return Py.str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\"", "&#34;").replace("'", "&#39;");
      }
      case "join" -> {
        String sep = Py.str(arg(args, kw, 0, "d", ""));
        Object attribute = arg(args, kw, 1, "attribute", null);
        StringBuilder sb = new StringBuilder();
        List<Object> items = in.iterate(value, f);
        for (int i = 0; i < items.size(); i++) {
          Object item = attribute == null ? items.get(i) : in.getItem(items.get(i), attribute, f);
          sb.append(i > 0 ? sep : "").append(Py.str(item));
          in.reserveChars(f, sb.length());
        }
        return sb.toString();
      }
      case "list" -> {
        return in.iterate(value, f);
      }
      case "first" -> {
        List<Object> items = in.iterate(value, f);
        return items.isEmpty() ? new Undefined("first item") : items.get(0);
      }
      case "last" -> {
        List<Object> items = in.iterate(value, f);
        return items.isEmpty() ? new Undefined("last item") : items.get(items.size() - 1);
      }
      case "reverse" -> {
        if (value instanceof String s) {
          return new StringBuilder(s).reverse().toString();
        }
        List<Object> items = in.iterate(value, f);
        java.util.Collections.reverse(items);
        return items;
      }
      case "sort" -> {
        return sort(in, f, in.iterate(value, f), Py.truthy(arg(args, kw, 0, "reverse", false)),
            Py.truthy(arg(args, kw, 1, "case_sensitive", false)), arg(args, kw, 2, "attribute", null));
      }
      case "unique" -> {
        return new ArrayList<>(new LinkedHashSet<>(in.iterate(value, f)));
      }
      case "min", "max" -> {
        List<Object> items = sort(in, f, in.iterate(value, f), false, false, arg(args, kw, 1, "attribute", null));
        if (items.isEmpty()) {
          return new Undefined(name + " of an empty sequence");
        }
        return name.equals("min") ? items.get(0) : items.get(items.size() - 1);
      }
      case "sum" -> {
        Object attribute = arg(args, kw, 0, "attribute", null);
        Object total = arg(args, kw, 1, "start", 0L);
        for (Object item : in.iterate(value, f)) {
          Object v = attribute == null ? item : in.getItem(item, attribute, f);
          total = Arithmetic.apply(in, new Node.Binary("+", null, null, f.line()), total, v);
        }
        return total;
      }
      case "int" -> {
        return toInt(value, arg(args, kw, 0, "default", 0L));
      }
      case "float" -> {
        return toFloat(value, arg(args, kw, 0, "default", 0.0));
      }
      case "abs" -> {
        if (value instanceof Double d) {
          return Math.abs(d);
        }
        return Math.abs(in.integer(value, f, "abs() argument"));
      }
      case "round" -> {
        long precision = in.integer(arg(args, kw, 0, "precision", 0L), f, "precision");
        String method = Py.str(arg(args, kw, 1, "method", "common"));
        double scale = Math.pow(10, precision);
        double x = Py.toDouble(value) * scale;
        double r = switch (method) {
          case "ceil" -> Math.ceil(x);
          case "floor" -> Math.floor(x);
          default -> x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
        };
        return r / scale;
      }
      case "replace" -> {
        List<Object> margs = new ArrayList<>(args);
        if (kw.containsKey("count")) {
          while (margs.size() < 2) {
            margs.add("");
          }
          margs.add(kw.get("count"));
        }
        return Methods.call(in, f, Py.str(value), "replace", margs, Map.of());
      }
      case "indent" -> {
        Object width = arg(args, kw, 0, "width", 4L);
        String text = Py.str(value);
        long pad = width instanceof String w ? w.length() : Math.max(0, Py.toLong(width));
        in.reserveChars(f, text.length() + (occurrences(text, '\n') + 1) * Math.min(pad, Limits.MAX_CHARS + 1L));
        return indent(text, width, Py.truthy(arg(args, kw, 1, "first", false)),
            Py.truthy(arg(args, kw, 2, "blank", false)));
      }
      case "map" -> {
        return map(in, f, in.iterate(value, f), args, kw);
      }
      case "select", "reject", "selectattr", "rejectattr" -> {
        return select(in, f, in.iterate(value, f), args, name.startsWith("select"), name.endsWith("attr"));
      }
      default -> throw in.error(f, "unknown filter '" + name + "'");
    }
  }

  static List<Object> items(Map<?, ?> map) {
    List<Object> out = new ArrayList<>(map.size());
    for (Map.Entry<?, ?> e : map.entrySet()) {
      List<Object> pair = new ArrayList<>(2);
      pair.add(e.getKey());
      pair.add(e.getValue());
      out.add(pair);
    }
    return out;
  }

  private static Object length(Interpreter in, Node at, Object value) {
    if (value instanceof String s) {
      return (long) s.codePointCount(0, s.length());
    }
    if (value instanceof List<?> l) {
      return (long) l.size();
    }
    if (value instanceof Map<?, ?> m) {
      return (long) m.size();
    }
    if (value instanceof Undefined) {
      return 0L;
    }
    if (value instanceof Namespace ns) {
      return (long) ns.attributes.size();
    }
    throw in.error(at, "object of type '" + Py.typeName(value) + "' has no len()");
  }

  static String capitalize(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int first = s.codePointAt(0);
    return new String(Character.toChars(Character.toTitleCase(first)))
        + s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT);
  }

  /** Jinja2's title: upper-case the first letter of each word (words start after space, -, (, [, { ...). */
  static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean start = true;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      sb.appendCodePoint(start ? Character.toTitleCase(cp) : Character.toLowerCase(cp));
      start = Py.isSpace((char) cp) || "-_([{<".indexOf(cp) >= 0;
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  private static Object toInt(Object value, Object fallback) {
    if (Py.isIntegral(value)) {
      return Py.toLong(value);
    }
    if (value instanceof Double d) {
      return (long) d.doubleValue();
    }
    if (value instanceof String s) {
      try {
        return Long.parseLong(s.strip().replace("_", ""));
      } catch (NumberFormatException e) {
        try {
          return (long) Double.parseDouble(s.strip());
        } catch (NumberFormatException e2) {
          return fallback;
        }
      }
    }
    return fallback;
  }

  private static Object toFloat(Object value, Object fallback) {
    if (Py.isNumber(value)) {
      return Py.toDouble(value);
    }
    if (value instanceof String s) {
      try {
        return Double.parseDouble(s.strip());
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  private static long occurrences(String s, char c) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == c) {
        n++;
      }
    }
    return n;
  }

  private static String indent(String s, Object width, boolean first, boolean blank) {
    String pad = width instanceof String w ? w : " ".repeat((int) Py.toLong(width));
    List<Object> lines = Methods.split(s + "\n", "\n", -1);
    lines.remove(lines.size() - 1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      String line = (String) lines.get(i);
      if (i > 0) {
        sb.append('\n');
        if (blank || !line.isEmpty()) {
          sb.append(pad);
        }
      }
      sb.append(line);
    }
    return first ? pad + sb : sb.toString();
  }

  private static List<Object> sort(Interpreter in, Node at, List<Object> items, boolean reverse,
      boolean caseSensitive, Object attribute) {
    List<Object> out = new ArrayList<>(items);
    out.sort((a, b) -> {
      Object x = attribute == null ? a : in.getItem(a, attribute, at);
      Object y = attribute == null ? b : in.getItem(b, attribute, at);
      if (!caseSensitive && x instanceof String s && y instanceof String t) {
        x = s.toLowerCase(Locale.ROOT);
        y = t.toLowerCase(Locale.ROOT);
      }
      Integer c = Py.compare(x, y);
      if (c == null) {
        throw in.error(at, "cannot compare " + Py.typeName(x) + " with " + Py.typeName(y));
      }
      return c;
    });
    if (reverse) {
      java.util.Collections.reverse(out);
    }
    return out;
  }

  private static List<Object> map(Interpreter in, Node.Filter f, List<Object> items, List<Object> args,
      Map<String, Object> kw) {
    List<Object> out = new ArrayList<>();
    if (kw.containsKey("attribute")) {
      Object attribute = kw.get("attribute");
      for (Object item : items) {
        Object v = in.getItem(item, attribute, f);
        out.add(v instanceof Undefined && kw.containsKey("default") ? kw.get("default") : v);
      }
      return out;
    }
    if (args.isEmpty()) {
      throw in.error(f, "map needs a filter name or attribute=");
    }
    String filter = Py.str(args.get(0));
    List<Object> rest = args.subList(1, args.size());
    Map<String, Object> restKw = new LinkedHashMap<>(kw);
    for (Object item : items) {
      out.add(apply(in, new Node.Filter(null, filter, List.of(), List.of(), List.of(), f.line()), item, rest, restKw));
    }
    return out;
  }

  private static List<Object> select(Interpreter in, Node.Filter f, List<Object> items, List<Object> args,
      boolean keep, boolean byAttribute) {
    int k = 0;
    Object attribute = null;
    if (byAttribute) {
      if (args.isEmpty()) {
        throw in.error(f, f.name() + " needs an attribute name");
      }
      attribute = args.get(k++);
    }
    String test = k < args.size() ? Py.str(args.get(k++)) : null;
    List<Object> testArgs = args.subList(Math.min(k, args.size()), args.size());
    List<Object> out = new ArrayList<>();
    for (Object item : items) {
      Object v = byAttribute ? in.getItem(item, attribute, f) : item;
      boolean ok = test == null ? Py.truthy(v)
          : JinjaTests.apply(in, new Node.Test(null, test, List.of(), false, f.line()), v, testArgs);
      if (ok == keep) {
        out.add(item);
      }
    }
    return out;
  }

  private static Object arg(List<Object> args, Map<String, Object> kw, int index, String name, Object fallback) {
    if (index < args.size()) {
      return args.get(index);
    }
    return kw.getOrDefault(name, fallback);
  }
}
