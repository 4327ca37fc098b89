package tips.drain.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubSettingsTest {
  @TempDir Path home;

  @Test
  void defaultsAreHuggingfaceHubs() {
    HubSettings s = HubSettings.fromEnvironment(Map.of(), home);
    assertEquals("https://huggingface.co", s.endpoint());
    assertEquals(home.resolve(".cache/huggingface/hub"), s.cache());
    assertNull(s.token());
    assertFalse(s.offline());
    assertFalse(s.toString().contains("hf_"), "never prints a token");
  }

  @Test
  void environmentOverridesInHuggingfaceHubsOrder() throws IOException {
    Path hfHome = Files.createDirectories(home.resolve("hfhome"));
    Files.writeString(hfHome.resolve("token"), "hf_fromfile\n");
    HubSettings file = HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(),
        "HF_ENDPOINT", "http://mirror.local:8080/", "HF_HUB_OFFLINE", "1"), home);
    assertEquals("hf_fromfile", file.token());
    assertEquals(hfHome.resolve("token").toString(), file.tokenSource());
    assertEquals(hfHome.resolve("hub"), file.cache());
    assertEquals("http://mirror.local:8080", file.endpoint());
    assertTrue(file.offline());

    HubSettings env = HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_env",
        "HF_HUB_CACHE", "~/elsewhere"), home);
    assertEquals("hf_env", env.token());
    assertEquals("HF_TOKEN", env.tokenSource());
    assertEquals(home.resolve("elsewhere"), env.cache());
    assertFalse(env.toString().contains("hf_env"));

    assertEquals(home.resolve("xdg/huggingface/hub"),
        HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", home.resolve("xdg").toString()), home).cache());
    assertThrows(IllegalArgumentException.class, () -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://x"), home));
  }

  @Test
  void retryWaitsDoubleUpToTheMaximum() {
    HubSettings.Retry r = HubSettings.Retry.DEFAULT;
    assertEquals(1000, r.wait(1).toMillis());
    assertEquals(2000, r.wait(2).toMillis());
    assertEquals(16000, r.wait(6).toMillis());
    assertEquals(16000, r.wait(40).toMillis());
  }
}
