package tips.drain.lora;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regular expressions in adapter_config.json: invalid ones are refused when read, runaway ones stopped. */
class LoraConfigRegexTest {
  @TempDir Path dir;

  private LoraConfig read(String json) throws IOException {
    Files.writeString(dir.resolve("adapter_config.json"), json);
    return LoraConfig.read(dir);
  }

  @Test
  void anInvalidRegexIsRefusedWhenReadNamingTheField() {
    // found by fuzzing: these escaped later, from targets() and rank(), as PatternSyntaxException
    LoraException e = assertThrows(LoraException.class,
        () -> read("{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": \".*(q_proj\"}"));
    assertTrue(e.getMessage().contains("target_modules is not a valid regular expression: Unclosed group"), e.getMessage());
    LoraException key = assertThrows(LoraException.class, () -> read(
        "{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"], \"rank_pattern\": {\"*\": 2}}"));
    assertTrue(key.getMessage().contains("rank_pattern key '*' is not a valid regular expression"), key.getMessage());
  }

  @Test
  void aRegexThatBacktracksWithoutEndIsStopped() throws IOException {
    LoraConfig c = read("{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": \"(.*a){20}\"}");
    LoraException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> assertThrows(LoraException.class, () -> c.targets("model.layers.0.self_attn.q_proj_aaaaaaaaaaaaaaaaaaaa")));
    assertTrue(e.getMessage().contains("takes too long to match"), e.getMessage());
    assertTrue(read("{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": \".*\\\\.(q|v)_proj\"}")
        .targets("model.layers.0.self_attn.q_proj"), "an ordinary regex still matches");
  }
}
