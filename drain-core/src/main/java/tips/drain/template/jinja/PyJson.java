package tips.drain.template.jinja;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(value, ensure_ascii=False, indent=indent, separators=..., sort_keys=...)}, which is
 * what transformers' {@code tojson} filter calls (no HTML escaping, non-ASCII kept).
 */
final class PyJson {
  private PyJson() {}

  static String dumps(Object value, Integer indent, String itemSeparator, String keySeparator, boolean sortKeys) {
    String item = itemSeparator != null ? itemSeparator : indent != null ? "," : ", ";
    String key = keySeparator != null ? keySeparator : ": ";
    StringBuilder sb = new StringBuilder();
    write(sb, value, indent, item, key, sortKeys, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, Integer indent, String item, String key, boolean sort, int depth) {
    if (depth > Limits.MAX_NESTING) {
      throw new IllegalArgumentException("tojson: a value nested more than " + Limits.MAX_NESTING
          + " levels deep (one that contains itself?)");
    }
    if (sb.length() > Limits.MAX_CHARS) {
      throw new IllegalArgumentException("tojson output exceeds " + Limits.MAX_CHARS + " characters");
    }
    if (v == null || v instanceof Undefined) {
      sb.append("null");
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof Double d) {
      sb.append(d.isNaN() ? "NaN" : d.isInfinite() ? (d > 0 ? "Infinity" : "-Infinity") : Py.reprFloat(d));
    } else if (v instanceof Number n) {
      sb.append(n);
    } else if (v instanceof String s) {
      string(sb, s);
    } else if (v instanceof List<?> list) {
      if (list.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          sb.append(item);
        }
        newline(sb, indent, depth + 1);
        write(sb, list.get(i), indent, item, key, sort, depth + 1);
      }
      newline(sb, indent, depth);
      sb.append(']');
    } else if (v instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        sb.append("{}");
        return;
      }
      List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
      if (sort) {
        entries.sort((a, b) -> Py.str(a.getKey()).compareTo(Py.str(b.getKey())));
      }
      sb.append('{');
      Iterator<Map.Entry<?, ?>> it = entries.iterator();
      boolean first = true;
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        if (!first) {
          sb.append(item);
        }
        first = false;
        newline(sb, indent, depth + 1);
        Object k = e.getKey();
        string(sb, k instanceof String s ? s : k == null ? "null" : k instanceof Boolean b ? (b ? "true" : "false") : Py.str(k));
        sb.append(key);
        write(sb, e.getValue(), indent, item, key, sort, depth + 1);
      }
      newline(sb, indent, depth);
      sb.append('}');
    } else if (v instanceof Namespace ns) {
      write(sb, ns.attributes, indent, item, key, sort, depth);
    } else {
      throw new IllegalArgumentException("Object of type " + Py.typeName(v) + " is not JSON serializable");
    }
  }

  private static void newline(StringBuilder sb, Integer indent, int depth) {
    if (indent != null) {
      long spaces = (long) Math.max(0, indent) * depth;
      if (sb.length() + spaces > Limits.MAX_CHARS) {
        throw new IllegalArgumentException("tojson output exceeds " + Limits.MAX_CHARS + " characters");
      }
      sb.append('\n').append(" ".repeat((int) spaces));
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c) && !validPair(s, i)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static boolean validPair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
