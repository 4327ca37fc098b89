package tips.drain.template.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Python methods templates call on values: {@code str} (strip, split, startswith, replace...), {@code dict}
 * (items, keys, values, get) and {@code list} (index, count). Methods that would modify a value are absent, as in
 * transformers' immutable sandbox.
 */
final class Methods {
  private Methods() {}

  private static final Set<String> STRING = Set.of("strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
      "startswith", "endswith", "replace", "upper", "lower", "title", "capitalize", "find", "rfind", "count", "join",
      "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper", "format");
  private static final Set<String> DICT = Set.of("items", "keys", "values", "get");
  private static final Set<String> LIST = Set.of("index", "count");

  static boolean has(Object target, String name) {
    return target instanceof String && STRING.contains(name)
        || target instanceof Map && DICT.contains(name)
        || target instanceof List && LIST.contains(name);
  }

  static Object call(Interpreter in, Node at, Object target, String name, List<Object> args, Map<String, Object> kwargs) {
    if (target instanceof String s) {
      return string(in, at, s, name, args);
    }
    if (target instanceof Map<?, ?> map) {
      return switch (name) {
        case "items" -> Filters.items(map);
        case "keys" -> new ArrayList<Object>(map.keySet());
        case "values" -> new ArrayList<Object>(map.values());
        default -> {
          Object key = arg(args, 0, null);
          yield map.containsKey(key) ? map.get(key) : arg(args, 1, null);
        }
      };
    }
    List<?> list = (List<?>) target;
    Object item = arg(args, 0, null);
    if (name.equals("count")) {
      return list.stream().filter(o -> Py.eq(o, item)).count();
    }
    for (int i = 0; i < list.size(); i++) {
      if (Py.eq(list.get(i), item)) {
        return (long) i;
      }
    }
    throw in.error(at, Py.repr(item) + " is not in list");
  }

  private static Object string(Interpreter in, Node at, String s, String name, List<Object> args) {
    switch (name) {
      case "strip" -> {
        return Py.strip(s, chars(in, at, args));
      }
      case "lstrip" -> {
        return Py.lstrip(s, chars(in, at, args));
      }
      case "rstrip" -> {
        return Py.rstrip(s, chars(in, at, args));
      }
      case "split" -> {
        return split(s, (String) arg(args, 0, null), args.size() > 1 ? (int) Py.toLong(args.get(1)) : -1);
      }
      case "rsplit" -> {
        if (args.size() > 1 && Py.toLong(args.get(1)) >= 0) {
          throw in.error(at, "rsplit with maxsplit is not supported");
        }
        return split(s, (String) arg(args, 0, null), -1);
      }
      case "splitlines" -> {
        List<Object> lines = new ArrayList<>(List.of(s.split("\r\n|\r|\n", -1)));
        if (!lines.isEmpty() && ((String) lines.get(lines.size() - 1)).isEmpty()) {
          lines.remove(lines.size() - 1);
        }
        return lines;
      }
      case "startswith", "endswith" -> {
        Object p = arg(args, 0, null);
        List<?> options = p instanceof List<?> l ? l : List.of(String.valueOf(p));
        for (Object o : options) {
          if (name.equals("startswith") ? s.startsWith(Py.str(o)) : s.endsWith(Py.str(o))) {
            return true;
          }
        }
        return false;
      }
      case "replace" -> {
        String old = Py.str(arg(args, 0, ""));
        String now = Py.str(arg(args, 1, ""));
        long count = args.size() > 2 ? Py.toLong(args.get(2)) : -1;
        long found = occurrences(s, old);
        long replaced = count < 0 ? found : Math.min(count, found);
        in.reserveChars(at, s.length() + replaced * (now.length() - old.length()));
        if (count < 0) {
          return s.replace(old, now);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (long k = 0; k < replaced; k++) {
          int at2 = s.indexOf(old, from);
          if (old.isEmpty()) { // Python inserts before each of the first `count` characters
            sb.append(now);
            if (at2 < s.length()) {
              sb.append(s.charAt(at2));
            }
            from = at2 + 1;
            continue;
          }
          sb.append(s, from, at2).append(now);
          from = at2 + old.length();
        }
        return sb.append(s.substring(Math.min(from, s.length()))).toString();
      }
      case "upper" -> {
        return s.toUpperCase(Locale.ROOT);
      }
      case "lower" -> {
        return s.toLowerCase(Locale.ROOT);
      }
      case "title" -> {
        return Filters.title(s);
      }
      case "capitalize" -> {
        return Filters.capitalize(s);
      }
      case "find" -> {
        return (long) s.indexOf(Py.str(arg(args, 0, "")));
      }
      case "rfind" -> {
        return (long) s.lastIndexOf(Py.str(arg(args, 0, "")));
      }
      case "count" -> {
        String sub = Py.str(arg(args, 0, ""));
        if (sub.isEmpty()) {
          return (long) s.codePointCount(0, s.length()) + 1;
        }
        long c = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
          c++;
        }
        return c;
      }
      case "join" -> {
        List<Object> items = in.iterate(arg(args, 0, List.of()), at);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
          sb.append(i > 0 ? s : "").append(Py.str(items.get(i)));
          in.reserveChars(at, sb.length());
        }
        return sb.toString();
      }
      case "isdigit" -> {
        return !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
      }
      case "isalpha" -> {
        return !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
      }
      case "isalnum" -> {
        return !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
      }
      case "isspace" -> {
        return !s.isEmpty() && s.chars().allMatch(c -> Py.isSpace((char) c));
      }
      case "islower" -> {
        return !s.equals(s.toUpperCase(Locale.ROOT)) && s.equals(s.toLowerCase(Locale.ROOT));
      }
      case "isupper" -> {
        return !s.equals(s.toLowerCase(Locale.ROOT)) && s.equals(s.toUpperCase(Locale.ROOT));
      }
      default -> {
        // format: only positional {} placeholders
        StringBuilder sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < s.length(); i++) {
          if (s.startsWith("{}", i)) {
            sb.append(Py.str(arg(args, next++, "")));
            i++;
          } else {
            sb.append(s.charAt(i));
          }
        }
        return sb.toString();
      }
    }
  }

  private static String chars(Interpreter in, Node at, List<Object> args) {
    Object c = arg(args, 0, null);
    if (c != null && !(c instanceof String)) {
      throw in.error(at, "strip arg must be None or str, not " + Py.typeName(c));
    }
    return (String) c;
  }

  /** How often {@code sub} occurs in {@code s}, not overlapping (an empty {@code sub}: between every two characters). */
  private static long occurrences(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1L;
    }
    long c = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
      c++;
    }
    return c;
  }

  /** Python's {@code str.split(sep, maxsplit)}; a null separator splits on runs of whitespace. */
  static List<Object> split(String s, String sep, int maxSplit) {
    List<Object> out = new ArrayList<>();
    if (sep == null) {
      int i = 0;
      int n = s.length();
      while (true) {
        while (i < n && Py.isSpace(s.charAt(i))) {
          i++;
        }
        if (i >= n) {
          break;
        }
        if (maxSplit >= 0 && out.size() == maxSplit) {
          out.add(Py.rstrip(s.substring(i)));
          break;
        }
        int j = i;
        while (j < n && !Py.isSpace(s.charAt(j))) {
          j++;
        }
        out.add(s.substring(i, j));
        i = j;
      }
      return out;
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
    int from = 0;
    while (maxSplit < 0 || out.size() < maxSplit) {
      int at = s.indexOf(sep, from);
      if (at < 0) {
        break;
      }
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  static Object arg(List<Object> args, int i, Object fallback) {
    return i < args.size() ? args.get(i) : fallback;
  }
}
