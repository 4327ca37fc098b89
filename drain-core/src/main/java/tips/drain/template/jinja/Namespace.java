package tips.drain.template.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** The object {@code namespace(...)} returns: the one value whose attributes {@code set ns.x = ...} may change. */
final class Namespace {
  final Map<String, Object> attributes = new LinkedHashMap<>();

  @Override
  public String toString() {
    return "<Namespace " + attributes + ">";
  }
}
