package tips.drain.template.jinja;

import java.util.List;
import java.util.Map;

/** Something a template can call: a global function ({@code raise_exception}, {@code range}), a macro, a method. */
@FunctionalInterface
public interface JinjaFunction {
  /**
   * @param args positional arguments
   * @param kwargs keyword arguments, in call order
   * @return the result (String, Long, Double, Boolean, null, List, Map, or another template value)
   */
  Object call(List<Object> args, Map<String, Object> kwargs);
}
