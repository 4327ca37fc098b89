package tips.drain.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tips.drain.hub.HubException.Reason;

class FileSelectionTest {
  private static RepoListing listing(String... paths) {
    return new RepoListing(RepoRef.parse("org/repo"), "a".repeat(40),
        Arrays.stream(paths).map(p -> new RemoteFile(p, 10, null)).toList());
  }

  private static List<String> select(RepoListing l, List<String> includes, String quant) {
    return FileSelection.select(l, includes, quant).stream().map(RemoteFile::path).toList();
  }

  @Test
  void safetensorsModelsGetWeightsConfigAndTokenizer() {
    RepoListing l = listing(".gitattributes", "README.md", "config.json", "generation_config.json",
        "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json",
        "consolidated.safetensors", "pytorch_model.bin", "tokenizer.json", "tokenizer_config.json", "tokenizer.model",
        "special_tokens_map.json", "original/params.json", "onnx/model.onnx");
    assertEquals(List.of("config.json", "generation_config.json", "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors", "model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json",
        "tokenizer.model", "special_tokens_map.json"), select(l, List.of(), null));
  }

  @Test
  void ggufRepositoriesGetTheAskedQuantization() {
    RepoListing l = listing("README.md", "model-Q4_K_M.gguf", "model-Q8_0.gguf", "mmproj-model-f16.gguf",
        "Q6_K/model-Q6_K-00001-of-00002.gguf", "Q6_K/model-Q6_K-00002-of-00002.gguf");
    assertEquals(List.of("model-Q4_K_M.gguf"), select(l, List.of(), "q4_k_m"));
    assertEquals(List.of("Q6_K/model-Q6_K-00001-of-00002.gguf", "Q6_K/model-Q6_K-00002-of-00002.gguf"),
        select(l, List.of(), "Q6_K"));
    HubException several = assertThrows(HubException.class, () -> select(l, List.of(), null));
    assertEquals(Reason.NO_MATCHING_FILES, several.reason());
    assertTrue(several.getMessage().endsWith("choose one with --quant: Q4_K_M, Q6_K, Q8_0"), several.getMessage());
    HubException missing = assertThrows(HubException.class, () -> select(l, List.of(), "Q5_K_S"));
    assertEquals("org/repo: no GGUF file of quantization Q5_K_S; it has Q4_K_M, Q6_K, Q8_0", missing.getMessage());
    assertEquals(List.of("x.Q2_K.gguf"), select(listing("README.md", "x.Q2_K.gguf"), List.of(), null), "the only one");
  }

  @Test
  void quantOnASafetensorsRepositoryOrNoWeightsAreExplained() {
    HubException quant = assertThrows(HubException.class,
        () -> select(listing("config.json", "model.safetensors"), List.of(), "Q4_K_M"));
    assertTrue(quant.getMessage().contains("has none"), quant.getMessage());
    HubException none = assertThrows(HubException.class,
        () -> select(listing("config.json", "pytorch_model.bin"), List.of(), null));
    assertTrue(none.getMessage().startsWith("org/repo: no safetensors or GGUF weights (2 files: config.json,"
        + " pytorch_model.bin)"), none.getMessage());
    HubException include = assertThrows(HubException.class,
        () -> select(listing("config.json"), List.of("*.gguf"), null));
    assertEquals(Reason.NO_MATCHING_FILES, include.reason());
  }

  @Test
  void quantizationsAreReadFromFileNames() {
    assertEquals("Q4_K_M", FileSelection.quantOf("llama-2-7b.Q4_K_M.gguf"));
    assertEquals("Q4_K_M", FileSelection.quantOf("Qwen2.5-0.5B-Instruct-q4_k_m.gguf"));
    assertEquals("IQ4_XS", FileSelection.quantOf("Model-IQ4_XS-00001-of-00003.gguf"));
    assertEquals("Q4_K_XL", FileSelection.quantOf("UD-Q4_K_XL/Model-UD-Q4_K_XL-00001-of-00002.gguf"));
    assertEquals("BF16", FileSelection.quantOf("model-bf16.gguf"));
    assertEquals("Q8_0", FileSelection.quantOf("tinyllama-1.1b-chat-v1.0.Q8_0.gguf"));
    assertEquals("?", FileSelection.quantOf("model.gguf"));
  }

  @Test
  void globsMatchLikeFnmatch() {
    assertTrue(Glob.of("*.json").matches("config.json"));
    assertTrue(Glob.of("*.json").matches("sub/dir/config.json"), "* crosses folders, as in fnmatch");
    assertTrue(Glob.of("model-0000?-of-00002.safetensors").matches("model-00001-of-00002.safetensors"));
    assertTrue(Glob.of("original/").matches("original/params.json"));
    assertTrue(Glob.of("[ct]*.json").matches("tokenizer.json"));
    assertFalse(Glob.of("[!ct]*.json").matches("tokenizer.json"));
    assertFalse(Glob.of("*.json").matches("model.safetensors"));
    assertTrue(Glob.of("a+b(c).txt").matches("a+b(c).txt"), "regex characters are literal");
  }

  @Test
  void repoRefsParseAndRefuseBadIds() {
    assertEquals(new RepoRef("Qwen/Qwen2.5-0.5B-Instruct", "main"), RepoRef.parse("Qwen/Qwen2.5-0.5B-Instruct"));
    assertEquals(new RepoRef("org/x", "refs/pr/1"), RepoRef.parse("org/x@refs/pr/1"));
    assertEquals("models--Qwen--Qwen2.5-0.5B-Instruct", RepoRef.parse("Qwen/Qwen2.5-0.5B-Instruct").folderName());
    for (String bad : new String[] {"noslash", "a/b/c", "/x", "a/", "a/b--c", "a/..", "a/b@", "a/b@../x"}) {
      assertThrows(IllegalArgumentException.class, () -> RepoRef.parse(bad), bad);
    }
    assertEquals("refs%2Fpr%2F1", Urls.segment("refs/pr/1"));
    assertEquals("dir/a%20b%2B.json", Urls.path("dir/a b+.json"));
  }
}
