package tips.drain.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.template.jinja.JinjaException;
import tips.drain.testing.TestData;

/** ChatTemplate beyond the golden renders: errors raised by templates, extra variables, where templates come from. */
class ChatTemplateTest {
  @TempDir Path dir;

  @Test
  void templateRaisedErrorsNameTheLine() {
    ChatTemplate gemma = ChatTemplate.load(TestData.path("tokenizers/gemma3")).orElseThrow();
    JinjaException e = assertThrows(JinjaException.class,
        () -> gemma.render(List.of(ChatMessage.user("a"), ChatMessage.user("b")), true));
    assertTrue(e.getMessage().contains("chat_template line 19: the template raised an exception: "
        + "Conversation roles must alternate user/assistant/user/assistant/..."), e.getMessage());
  }

  @Test
  void extraVariables() {
    ChatTemplate qwen = ChatTemplate.load(TestData.path("tokenizers/qwen3")).orElseThrow();
    String noThinking = qwen.render(List.of(ChatMessage.user("Hi")), true, Map.of("enable_thinking", false));
    assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", noThinking);
    Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", "now"));
    String withTools = qwen.render(List.of(ChatMessage.user("Hi")), true, Map.of("tools", List.of(tool)));
    assertTrue(withTools.startsWith("<|im_start|>system\n# Tools\n"), withTools);
    assertTrue(withTools.contains("\"name\": \"now\""), withTools);
  }

  @Test
  void chatTemplateJinjaFileWins() throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"bos_token\": \"<s>\", \"chat_template\": \"from config\"}");
    assertEquals("from config", ChatTemplate.load(dir).orElseThrow().render(List.of(), false));
    Files.writeString(dir.resolve("chat_template.jinja"),
        "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}");
    assertEquals("<s>[user] hi\n", ChatTemplate.load(dir).orElseThrow().render(List.of(ChatMessage.user("hi")), true));
  }

  @Test
  void namedTemplatesPreferDefault() throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"tool_use\", "
        + "\"template\": \"tools\"}, {\"name\": \"default\", \"template\": \"plain\"}]}");
    assertEquals("plain", ChatTemplate.load(dir).orElseThrow().render(List.of(), false));
  }

  @Test
  void noTemplate() throws IOException {
    assertTrue(ChatTemplate.load(dir).isEmpty());
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
    assertTrue(ChatTemplate.load(dir).isEmpty());
  }

  @Test
  void strftime() {
    ZonedDateTime t = ZonedDateTime.of(2024, 7, 6, 9, 5, 3, 0, ZoneOffset.UTC);
    assertEquals("06 Jul 2024 6 July 09:05:03 Sat %", ChatTemplate.strftime("%d %b %Y %-d %B %H:%M:%S %a %%", t));
  }
}
