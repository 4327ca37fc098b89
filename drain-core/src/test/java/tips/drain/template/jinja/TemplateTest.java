package tips.drain.template.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Jinja2 subset: each feature with the output Python's jinja2 (trim_blocks, lstrip_blocks) gives. */
class TemplateTest {

  static String render(String template, Object... keyValues) {
    Map<String, Object> vars = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      vars.put((String) keyValues[i], keyValues[i + 1]);
    }
    return Template.parse(template, "test").render(vars);
  }

  static final List<Map<String, Object>> MESSAGES = List.of(
      Map.of("role", "system", "content", " Be brief. "),
      Map.of("role", "user", "content", "Hi"),
      Map.of("role", "assistant", "content", "Hello!"));

  // ---------------------------------------------------------------- whitespace

  @Test
  void trimBlocksDropsTheNewlineAfterABlockTag() {
    assertEquals("a\nb", render("{% if true %}\na\n{% endif %}\nb\n"), "and the trailing newline is dropped");
    assertEquals("x", render("{{ 'x' }}\n"), "one trailing newline of the template is removed");
    assertEquals("x\n", render("{{ 'x' }}\n\n"));
    assertEquals("ab", render("{# note #}\na{# c #}b"));
  }

  @Test
  void lstripBlocksDropsIndentationBeforeBlockTags() {
    assertEquals("  x\n", render("  {% if true %}\n  x\n  {% endif %}\n"));
    assertEquals("A B", render("A {% if true %}B{% endif %}"), "not at line start: kept");
    assertEquals("    y", render("{% if true %}\n    {{ 'y' }}{% endif %}"), "variable tags are not stripped");
  }

  @Test
  void explicitWhitespaceControl() {
    assertEquals("ab", render("a  \n  {%- if true -%}  \n  b  {%- endif %}"));
    assertEquals("a\n  b", render("a\n  {%+ if true %}b{% endif %}"), "+ keeps the indentation");
    assertEquals("\nab", render("{% if true +%}\na\n{%- endif %}\nb"), "+%} keeps the newline");
    assertEquals("123", render("{%- for i in [1, 2, 3] -%} {{ i }} {%- endfor -%}"));
  }

  @Test
  void newlinesAreNormalizedAndRawBlocksKeptVerbatim() {
    assertEquals("a\nb", render("a\r\nb\r\n"));
    assertEquals("{{ x }} {% if %}", render("{% raw %}{{ x }} {% if %}{% endraw %}"));
  }

  // ---------------------------------------------------------------- expressions

  @Test
  void operatorPrecedenceFollowsJinja() {
    assertEquals("<b>x<e>", render("{{ '<b>' + m | trim + '<e>' }}", "m", "  x \n"));
    assertEquals("True", render("{{ not x is defined }}"));
    assertEquals("7", render("{{ 1 + 2 * 3 }}"));
    assertEquals("4", render("{{ -2 ** 2 }}"), "Jinja: (-2) ** 2");
    assertEquals("2", render("{{ messages | length - 1 }}", "messages", MESSAGES));
    assertEquals("a1True", render("{{ 'a' ~ 1 ~ true }}"));
    assertEquals("yes", render("{{ 'yes' if 1 < 2 < 3 else 'no' }}"));
    assertEquals("", render("{{ 'yes' if false }}"));
  }

  @Test
  void arithmeticIsPython() {
    assertEquals("3.5 3 -4 1 2 8 1.0", render("{{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 4 }} {{ 7 % 5 }} {{ 2 ** 3 }} {{ 0.5 + 0.5 }}"));
    assertEquals("abab [1, 2, 3]", render("{{ 'ab' * 2 }} {{ [1] + [2, 3] }}"));
    JinjaException e = assertThrows(JinjaException.class, () -> render("line 1\n{{ 'a' + 1 }}"));
    assertEquals("test line 2: unsupported operand type(s) for +: 'str' and 'int'", e.getMessage());
  }

  @Test
  void valuesPrintLikePythonStr() {
    assertEquals("None True False 1.5 1e-05 ['a', \"b'c\"] {'k': 1}",
        render("{{ none }} {{ true }} {{ False }} {{ 1.5 }} {{ 0.00001 }} {{ ['a', \"b'c\"] }} {{ {'k': 1} }}"));
    assertEquals("", render("{{ missing }}"));
  }

  @Test
  void membershipAndComparison() {
    assertEquals("True False True True", render("{{ 'th' in 'think' }} {{ 3 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'x' not in 'abc' }}"));
    assertEquals("True True", render("{{ 1 == 1.0 }} {{ (1 == 1) != (2 == 3) }}"));
  }

  @Test
  void attributesItemsAndSlices() {
    assertEquals("system|Hi|Hello!", render("{{ messages[0].role }}|{{ messages[1]['content'] }}|{{ messages[-1].content }}",
        "messages", MESSAGES));
    assertEquals("assistant,user,system", render("{{ messages[::-1] | map(attribute='role') | join(',') }}", "messages", MESSAGES));
    assertEquals("user,assistant", render("{% for m in messages[1:] %}{{ m.role }}{{ ',' if not loop.last }}{% endfor %}", "messages", MESSAGES));
    assertEquals("ell olleh he", render("{{ s[1:4] }} {{ s[::-1] }} {{ s[:-3] }}", "s", "hello"));
    assertEquals("", render("{{ messages[7] }}{{ messages[0].nothing }}", "messages", MESSAGES));
    JinjaException e = assertThrows(JinjaException.class, () -> render("{{ nothing.role }}"));
    assertEquals("test line 1: 'nothing' is undefined (while reading .role)", e.getMessage());
  }

  @Test
  void stringMethods() {
    assertEquals("x|ab|<think>a|b|  ", render(
        "{{ '  x \\n'.strip() }}|{{ 'xxabxx'.strip('x') }}|{{ '\\n\\n<think>a'.lstrip('\\n') }}|{{ 'b\\n\\n'.rstrip() }}|{{ '  '.rstrip('x') }}"));
    assertEquals("['a', 'b', 'c'] ['a', '', 'b'] ['a', 'b c'] x = 2",
        render("{{ ' a  b\\tc '.split() }} {{ 'a,,b'.split(',') }} {{ 'a b c'.split(' ', 1) }} {{ c.split('</think>')[-1].lstrip('\\n') }}",
            "c", "<think>\nhm\n</think>\n\nx = 2"));
    assertEquals("True True False", render("{{ 'abc'.startswith('a') }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'abc'.startswith('b') }}"));
    assertEquals("a-b-c ABC Hello World", render("{{ 'a b c'.replace(' ', '-') }} {{ 'abc'.upper() }} {{ 'hello world'.title() }}"));
    assertEquals("1-2", render("{{ '-'.join(['1', '2']) }}"));
  }

  // ---------------------------------------------------------------- statements

  @Test
  void loopVariables() {
    String t = "{% for m in messages %}{{ loop.index0 }}{{ loop.index }}{{ loop.revindex }}{{ loop.length }}"
        + "{{ 'F' if loop.first }}{{ 'L' if loop.last }} {% endfor %}";
    assertEquals("0133F 1223 2313L ", render(t, "messages", MESSAGES));
    assertEquals("none", render("{% for x in [] %}{{ x }}{% else %}none{% endfor %}"));
    assertEquals("13", render("{% for x in [1, 2, 3, 4] if x is odd %}{{ x }}{% endfor %}"));
    assertEquals("1", render("{% for x in [1, 2, 3] %}{% if x == 2 %}{% break %}{% endif %}{{ x }}{% endfor %}"));
    assertEquals("13", render("{% for x in [1, 2, 3] %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% endfor %}"));
    assertEquals("a=1;b=2;", render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "d", Map.of("a", 1)
        .size() == 1 ? new LinkedHashMap<>(Map.of("a", 1)) {{ put("b", 2); }} : null));
    assertEquals("ab", render("{% for c in 'ab' %}{{ c }}{% endfor %}"));
  }

  @Test
  void setScopingAndNamespaces() {
    assertEquals("outer", render("{% set x = 'outer' %}{% for i in [1] %}{% set x = 'inner' %}{% endfor %}{{ x }}"));
    assertEquals("inner", render("{% set x = 'outer' %}{% if true %}{% set x = 'inner' %}{% endif %}{{ x }}"));
    assertEquals("3", render("{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}"));
    assertEquals("1 2", render("{% set a, b = [1, 2] %}{{ a }} {{ b }}"));
    assertEquals("[x]", render("{% set block %}[{{ 'x' }}]{% endset %}{{ block }}"));
    JinjaException e = assertThrows(JinjaException.class, () -> render("{% set d = {} %}\n{% set d.x = 1 %}"));
    assertTrue(e.getMessage().startsWith("test line 2: cannot assign attribute 'x'"), e.getMessage());
  }

  @Test
  void macros() {
    String t = "{% macro tag(name, open=true) %}<{{ '' if open else '/' }}{{ name }}>{% endmacro %}"
        + "{{ tag('a') }}{{ tag('a', open=false) }}{{ tag(name='b', open=false) }}";
    assertEquals("<a></a></b>", render(t));
  }

  // ---------------------------------------------------------------- filters and tests

  @Test
  void filters() {
    assertEquals("x|3|2|fallback|fallback|ABC|abc|a, b|1", render(
        "{{ ' x ' | trim }}|{{ 'abc' | length }}|{{ [1, 2] | count }}|{{ missing | default('fallback') }}|"
            + "{{ '' | default('fallback', true) }}|{{ 'abc' | upper }}|{{ 'ABC' | lower }}|{{ ['a', 'b'] | join(', ') }}|"
            + "{{ 1 | string }}"));
    assertEquals("1 3 [3, 2, 1] [1, 2, 3] [1, 2] 7 2.5", render(
        "{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ [1, 2, 3] | reverse | list }} {{ [3, 1, 2] | sort }} "
            + "{{ [1, 2, 1] | unique | list }} {{ '7' | int }} {{ '2.5' | float }}"));
    assertEquals("['user']", render("{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='role') | list }}",
        "messages", MESSAGES));
    assertEquals("a\n  b\n\n  c", render("{{ 'a\\nb\\n\\nc' | indent(2) }}"));
    assertEquals("b-b", render("{{ 'a-a' | replace('a', 'b') }}"));
  }

  @Test
  void tojsonIsPythonJsonDumps() {
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("name", "get_weather");
    tool.put("args", List.of(1, 2.5, true, "é\"\n"));
    tool.put("none", null);
    assertEquals("{\"name\": \"get_weather\", \"args\": [1, 2.5, true, \"é\\\"\\n\"], \"none\": null}",
        render("{{ tool | tojson }}", "tool", tool));
    assertEquals("{\n  \"a\": [\n    1\n  ]\n}", render("{{ {'a': [1]} | tojson(indent=2) }}"));
  }

  @Test
  void tests() {
    assertEquals("TFTTTTT", render("{{ 'T' if x is defined else 'F' }}{{ 'T' if y is defined else 'F' }}"
        + "{{ 'T' if n is none else 'F' }}{{ 'T' if x is string else 'F' }}{{ 'T' if m is mapping else 'F' }}"
        + "{{ 'T' if 6 is divisibleby 3 else 'F' }}{{ 'T' if x is not number else 'F' }}",
        "x", "s", "n", null, "m", Map.of()));
    assertEquals("True False True", render("{{ [] is iterable }} {{ 1 is iterable }} {{ 1 is integer }}"));
    JinjaException e = assertThrows(JinjaException.class, () -> render("{{ 1 is prime }}"));
    assertEquals("test line 1: unknown test 'prime'", e.getMessage());
  }

  // ---------------------------------------------------------------- errors

  @Test
  void errorsNameTheLine() {
    JinjaException missingEnd = assertThrows(JinjaException.class, () -> render("{% if x %}\n\nabc"));
    assertTrue(missingEnd.getMessage().contains("missing {% elif / else / endif %}")
        || missingEnd.getMessage().contains("endif"), missingEnd.getMessage());
    JinjaException filter = assertThrows(JinjaException.class, () -> render("a\nb\n{{ x | frobnicate }}"));
    assertEquals("test line 3: unknown filter 'frobnicate'", filter.getMessage());
    assertEquals(3, filter.line());
    JinjaException stray = assertThrows(JinjaException.class, () -> render("x\n{% endfor %}"));
    assertEquals("test line 2: unexpected {% endfor %} (no matching block is open)", stray.getMessage());
    JinjaException unsupported = assertThrows(JinjaException.class, () -> render("{% include 'x' %}"));
    assertEquals("test line 1: unknown or unsupported statement 'include'", unsupported.getMessage());
    JinjaException syntax = assertThrows(JinjaException.class, () -> render("{{ 1 + }}"));
    assertEquals("test line 1: unexpected '}}' in expression", syntax.getMessage());
    JinjaException raised = assertThrows(JinjaException.class, () -> Template.parse("\n{{ fail('roles must alternate') }}", "t")
        .render(Map.of("fail", (JinjaFunction) (args, kw) -> {
          throw new IllegalStateException("raised: " + args.get(0));
        })));
    assertEquals("t line 2: raised: roles must alternate", raised.getMessage());
  }
}
