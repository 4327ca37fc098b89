package tips.drain.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import tips.drain.util.Statistics;

class SideBySideTest {
  private static JsonNode round(double[] prefill, double[] decode, double stream) {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("kernels", "panama-512");
    o.put("reps", prefill.length);
    o.put("prefill_tok_s", Statistics.mean(prefill));
    o.put("prefill_tok_s_stddev", Statistics.stddev(prefill));
    o.put("decode_tok_s", Statistics.mean(decode));
    o.put("decode_tok_s_stddev", Statistics.stddev(decode));
    o.put("stream_gb_s", stream);
    return o;
  }

  @Test
  void roundsMergeAsIfAllRepetitionsWereOneSample() {
    double[] p1 = {70, 74, 79};
    double[] p2 = {61, 66, 64};
    double[] d1 = {13.1, 13.9, 12.2};
    double[] d2 = {11.0, 11.4, 12.9};
    JsonNode merged = SideBySide.merge(List.of(round(p1, d1, 30.5), round(p2, d2, 33.0)));
    double[] p = {70, 74, 79, 61, 66, 64};
    double[] d = {13.1, 13.9, 12.2, 11.0, 11.4, 12.9};
    assertEquals(Statistics.mean(p), merged.get("prefill_tok_s").asDouble(), 1e-9);
    assertEquals(Statistics.stddev(p), merged.get("prefill_tok_s_stddev").asDouble(), 1e-9);
    assertEquals(Statistics.mean(d), merged.get("decode_tok_s").asDouble(), 1e-9);
    assertEquals(Statistics.stddev(d), merged.get("decode_tok_s_stddev").asDouble(), 1e-9);
    assertEquals(33.0, merged.get("stream_gb_s").asDouble());
    assertEquals("panama-512", merged.get("kernels").asText());
  }

  @Test
  void roundsWithoutTheirRepetitionCountAreRefused() {
    ObjectNode r = (ObjectNode) round(new double[] {70, 74}, new double[] {13, 14}, 30);
    r.remove("reps");
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> SideBySide.merge(List.of(r, r)));
  }

  @Test
  void oneRoundIsReportedAsItIs() {
    JsonNode only = round(new double[] {70, 74}, new double[] {13, 14}, 30);
    assertEquals(only, SideBySide.merge(List.of(only)));
  }
}
