package tips.drain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json errors in DRAIN's words: the file, the field, what was expected and what was there; no Jackson text. */
class ConfigMessagesTest {
  @TempDir Path dir;

  private String error(String json) throws IOException {
    Files.writeString(dir.resolve("config.json"), json);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigReader.readConfig(dir));
    String m = e.getMessage();
    for (String leak : List.of("CoercionConfig", "[Source", "REDACTED", "java.lang", "com.fasterxml", "`", "\n")) {
      assertFalse(m.contains(leak), "'" + leak + "' in: " + m);
    }
    return m.substring(dir.resolve("config.json").toString().length());
  }

  @Test
  void wrongTypesNameTheFieldTheExpectedTypeAndTheValue() throws IOException {
    assertEquals(": field 'hidden_size' must be an integer, got \"sixty-four\"", error("{\"hidden_size\": \"sixty-four\"}"));
    assertEquals(": field 'hidden_size' must be an integer, got 64.5", error("{\"hidden_size\": 64.5}"));
    assertEquals(": field 'rms_norm_eps' must be a number, got true", error("{\"rms_norm_eps\": true}"));
    assertEquals(": field 'model_type' must be a string, got [1]", error("{\"model_type\": [1]}"));
    assertEquals(": field 'architectures' must be a list, got \"Llama\"", error("{\"architectures\": \"Llama\"}"));
    assertEquals(": field 'attention_bias' must be true or false, got \"yes\"", error("{\"attention_bias\": \"yes\"}"));
    assertEquals(": field 'num_hidden_layers' is out of range for an integer, got 99999999999",
        error("{\"num_hidden_layers\": 99999999999}"));
  }

  @Test
  void syntaxErrorsGiveLineAndColumn() throws IOException {
    assertEquals(": not valid JSON at line 2, column 1: unexpected end-of-input within/between Object entries",
        error("{\"model_type\": \"llama\",\n"));
    String m = error("{\"a\": tru}");
    assertEquals(true, m.startsWith(": not valid JSON at line 1, column "), m);
  }

  @Test
  void generationConfigToo() throws IOException {
    Files.writeString(dir.resolve("generation_config.json"), "{\"top_k\": \"many\"}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigReader.readGenerationConfig(dir));
    assertEquals(dir.resolve("generation_config.json") + ": field 'top_k' must be an integer, got \"many\"", e.getMessage());
  }
}
