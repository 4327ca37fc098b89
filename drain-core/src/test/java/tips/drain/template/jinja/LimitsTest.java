package tips.drain.template.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Templates that would run (almost) forever, recurse without end or build gigabytes are stopped by {@link Limits}
 * with a JinjaException naming the line: a downloaded chat template must not hang or crash the program.
 */
class LimitsTest {

  private static String refused(String source) {
    JinjaException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(JinjaException.class, () -> Template.parse(source, "t.jinja").render(Map.of())));
    assertTrue(e.getMessage().startsWith("t.jinja line "), e.getMessage());
    return e.getMessage();
  }

  @Test
  void nestedLoopsThatWouldRunForAYearStopAtTheStepLimit() {
    String m = refused("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}");
    assertTrue(m.contains("more than " + Limits.MAX_STEPS + " steps"), m);
  }

  @Test
  void aGigabyteStringIsRefusedBeforeItIsBuilt() {
    assertTrue(refused("{{ 'x' * 1000000000 }}").contains("1000000000 characters"));
    assertTrue(refused("{{ 'ab' * 9223372036854775807 }}").contains("characters"));
    assertTrue(refused("{{ [1, 2] * 100000000 }}").contains("items"));
    refused("{% set s = namespace(v='xxxxxxxxxxxxxxxx') %}{% for i in range(40) %}{% set s.v = s.v ~ s.v %}{% endfor %}");
    refused("{{ ('x' * 4000000) | replace('x', 'yyyy') }}");
    refused("{{ 'abc'.replace('', 'x' * 3000000) }}");
    refused("{{ 'a\\nb\\nc' | indent(100000000) }}");
    refused("{{ ('x' * 1000) | join('y' * 10000) }}");
  }

  @Test
  void renderedOutputIsBounded() {
    String m = refused("{% for i in range(1000000) %}{{ 'x' * 100 }}{% endfor %}");
    assertTrue(m.contains("characters"), m);
  }

  @Test
  void endlessMacroRecursionStops() {
    String m = refused("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    assertTrue(m.contains("nested more than " + Limits.MAX_CALL_DEPTH), m);
  }

  @Test
  void deeplyNestedSourceIsAParseError() {
    assertTrue(refused("{{ " + "(".repeat(100_000) + "1" + ")".repeat(100_000) + " }}").contains("nested more than"));
    assertTrue(refused("{{ " + "not ".repeat(100_000) + "1 }}").contains("nested more than"));
    assertTrue(refused("{{ " + "-".repeat(100_000) + "1 }}").contains("nested more than"));
    assertTrue(refused("{% if 1 %}".repeat(10_000) + "{% endif %}".repeat(10_000)).contains("nested more than"));
  }

  @Test
  void aValueThatContainsItselfIsNotSerializedForever() {
    refused("{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns | tojson }}");
  }

  @Test
  void replaceWithAnEmptyPatternAndACountInsertsLikePython() {
    // 'abc'.replace('', '-', 2) == '-a-bc' in Python
    assertEquals("-a-bc", Template.parse("{{ 'abc'.replace('', '-', 2) }}", "t").render(Map.of()));
    assertEquals("-a-b-c-", Template.parse("{{ 'abc'.replace('', '-', 99999999999) }}", "t").render(Map.of()));
    assertEquals("xbc", Template.parse("{{ 'abc'.replace('a', 'x', 5) }}", "t").render(Map.of()));
  }

  @Test
  void realTemplatesStayFarBelowTheLimits() {
    String t = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}";
    java.util.List<Map<String, Object>> many = java.util.Collections.nCopies(2000,
        Map.of("role", "user", "content", "hello ".repeat(100)));
    assertEquals(2000 * (8 + 600), Template.parse(t, "t").render(Map.of("messages", many)).length());
  }

  @Test
  void numbersAndEscapesOutOfRangeAreParseErrors() {
    // found by fuzzing: these escaped as NumberFormatException / IllegalArgumentException
    assertTrue(refused("{{ x.55555555555555555555555555 }}").contains("out of range"));
    assertTrue(refused("{{ 99999999999999999999 }}").contains("out of range"));
    assertTrue(refused("{{ '\\UFFFFFFFF' }}").contains("beyond the last Unicode code point"));
    assertTrue(refused("{{ '\\u-001' }}").contains("bad escape"));
    assertTrue(refused("{{ \u0663.\u0661 }}").contains("not a number"));
  }
}
