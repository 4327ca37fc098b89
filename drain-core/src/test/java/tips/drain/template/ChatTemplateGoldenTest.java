package tips.drain.template;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tips.drain.testing.SharedTokenizers;
import tips.drain.testing.TestData;

/**
 * Every case of {@code tokenizers/golden/chat-<tokenizer>.json}: the rendered text (checked against Python's
 * jinja2 and HF's JS Jinja) character for character, and its ids.
 */
class ChatTemplateGoldenTest {
  private static final String[] NAMES = {"llama3", "qwen3", "gemma3"};
  private static final Map<String, ChatTemplate> TEMPLATES = new ConcurrentHashMap<>();

  @TestFactory
  List<DynamicNode> goldenChats() throws IOException {
    List<DynamicNode> files = new ArrayList<>();
    for (String name : NAMES) {
      Path dir = TestData.path("tokenizers/" + name);
      JsonNode golden = new ObjectMapper().readTree(TestData.path("tokenizers/golden/chat-" + name + ".json").toFile());
      List<DynamicTest> tests = new ArrayList<>();
      for (JsonNode c : golden.get("cases")) {
        boolean generation = c.get("add_generation_prompt").asBoolean();
        tests.add(DynamicTest.dynamicTest(c.get("id").asText() + (generation ? " +generation" : ""), () -> {
          ChatTemplate template = TEMPLATES.computeIfAbsent(name, n -> ChatTemplate.load(dir).orElseThrow());
          String rendered = template.render(messages(c.get("messages")), generation);
          assertEquals(c.get("rendered").asText(), rendered);
          int[] ids = IntStream.range(0, c.get("ids").size()).map(k -> c.get("ids").get(k).asInt()).toArray();
          assertArrayEquals(ids, SharedTokenizers.get(name).encode(rendered, false));
        }));
      }
      assertEquals(16, tests.size(), name);
      files.add(DynamicContainer.dynamicContainer("chat-" + name + ".json", tests));
    }
    return files;
  }

  @Test
  void modelsWithoutTemplate() {
    assertTrue(ChatTemplate.load(TestData.path("tokenizers/mistral-v1")).isEmpty());
    assertTrue(ChatTemplate.load(TestData.path("tokenizers/llama2-derived")).isEmpty());
  }

  static List<ChatMessage> messages(JsonNode array) {
    List<ChatMessage> out = new ArrayList<>();
    for (JsonNode m : array) {
      Map<String, Object> extra = new LinkedHashMap<>();
      m.properties().forEach(e -> {
        if (!e.getKey().equals("role") && !e.getKey().equals("content")) {
          extra.put(e.getKey(), new ObjectMapper().convertValue(e.getValue(), Object.class));
        }
      });
      out.add(new ChatMessage(m.get("role").asText(), m.get("content").asText(), extra));
    }
    return out;
  }
}
