package tips.drain.model.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.io.FormatException;
import tips.drain.io.GgufBytes;
import tips.drain.io.GgufShards;
import tips.drain.io.WeightException;
import tips.drain.model.Architectures;
import tips.drain.model.ConfigReader;
import tips.drain.model.ModelConfig;
import tips.drain.model.UnsupportedArchitectureException;
import tips.drain.testing.TestData;

class GgufModelTest {
  private static final int HIDDEN = 8;
  private static final int HEADS = 2;

  @TempDir Path dir;

  /** The config from a fixture's GGUF metadata is the one its config.json resolves to. */
  @Test
  void metadataResolvesToTheConfigOfConfigJson() {
    for (String name : List.of("tiny-qwen2", "tiny-qwen3", "tiny-phi3", "tiny-mixtral", "tiny-gemma2", "tiny-gemma3")) {
      Path fixture = TestData.model(name);
      var raw = ConfigReader.readConfig(fixture);
      ModelConfig expected = Architectures.of(raw, fixture).resolve(raw, fixture);
      GgufModel gguf = GgufModel.open(fixture.resolve("model.gguf"));
      try {
        assertEquals(expected, gguf.config(), name);
      } finally {
        gguf.tensors().close();
      }
    }
  }

  /** Llama 3 scaling comes as GGUF's rope_freqs factors; everything else is config.json's. */
  @Test
  void llamaThreeScalingComesAsFrequencyFactors() {
    Path fixture = TestData.model("tiny-llama");
    var raw = ConfigReader.readConfig(fixture);
    ModelConfig expected = Architectures.of(raw, fixture).resolve(raw, fixture);
    GgufModel gguf = GgufModel.open(fixture.resolve("model.gguf"));
    try {
      assertEquals("factors", gguf.config().rope().scaling().type());
      assertEquals(expected.withRope(r -> gguf.config().rope()), gguf.config());
      float[] hf = new tips.drain.model.Rope(expected.rope()).inverseFrequencies();
      float[] factors = new tips.drain.model.Rope(gguf.config().rope()).inverseFrequencies();
      for (int i = 0; i < hf.length; i++) {
        assertEquals(hf[i], factors[i], 1e-6 * hf[i], "frequency " + i);
      }
    } finally {
      gguf.tensors().close();
    }
  }

  /** Without tokenizer.ggml.eot_token_id, the end-of-turn markers stop generation as in llama.cpp. */
  @Test
  void endOfTurnMarkersJoinTheEosIds() {
    GgufModel llama3 = GgufModel.open(TestData.path("tokenizers/gguf/ggml-vocab-llama-bpe.gguf"));
    try {
      assertEquals(List.of(128001, 128009), java.util.Arrays.stream(llama3.config().eosTokenIds()).boxed().toList());
    } finally {
      llama3.tensors().close();
    }
    GgufModel phi3 = GgufModel.open(TestData.path("tokenizers/gguf/ggml-vocab-phi-3.gguf"));
    try {
      assertEquals(List.of(32000, 32007), java.util.Arrays.stream(phi3.config().eosTokenIds()).boxed().toList());
    } finally {
      phi3.tensors().close();
    }
  }

  @Test
  void blockTypesWithoutAFormatAreRefusedNamingTheTensor() {
    WeightException e = assertThrows(WeightException.class, () -> LanguageModel.load(
        TestData.model("tiny-kquants").resolve("model-q8_0.gguf"), LoadOptions.defaults().withTokenizer(false)));
    assertTrue(e.getMessage().contains("tensor 'token_embd.weight' has type Q8_0, which this build does not support"),
        e.getMessage());
  }

  @Test
  void unsupportedArchitecturesAreRefusedNamingThem() {
    UnsupportedArchitectureException e = assertThrows(UnsupportedArchitectureException.class,
        () -> GgufModel.open(TestData.path("tokenizers/gguf/ggml-vocab-bert-bge.gguf")));
    assertTrue(e.getMessage().contains("GGUF architecture 'bert' is not supported; supported: llama, qwen2"), e.getMessage());
  }

  @Test
  void queryAndKeyRowsAreUnpermuted() throws IOException {
    Path file = write(dir.resolve("m.gguf"), tinyLlama(null, 0, 1));
    GgufModel gguf = GgufModel.open(file);
    try {
      var q = gguf.tensors().segment("model.layers.0.self_attn.q_proj.weight");
      int headDim = HIDDEN / HEADS;
      for (int h = 0; h < HEADS; h++) {
        for (int j = 0; j < 2; j++) {
          for (int i = 0; i < headDim / 2; i++) {
            int hfRow = h * headDim + j * headDim / 2 + i;
            int storedRow = h * headDim + 2 * i + j;
            // every stored value of row r is r (see tinyLlama)
            assertEquals(storedRow, q.getAtIndex(ValueLayout.JAVA_FLOAT, (long) hfRow * HIDDEN), 0f, "row " + hfRow);
          }
        }
      }
      var v = gguf.tensors().segment("model.layers.0.self_attn.v_proj.weight");
      assertEquals(5f, v.getAtIndex(ValueLayout.JAVA_FLOAT, 5L * HIDDEN), "v is not permuted");
    } finally {
      gguf.tensors().close();
    }
  }

  @Test
  void tensorsOfNoKnownRoleAreRefused() throws IOException {
    Path file = write(dir.resolve("m.gguf"), tinyLlama("blk.0.mystery.weight", 0, 1));
    UnsupportedArchitectureException e = assertThrows(UnsupportedArchitectureException.class, () -> GgufModel.open(file));
    assertTrue(e.getMessage().contains("tensor 'blk.0.mystery.weight' is not part of a GGUF 'llama' model"), e.getMessage());
  }

  @Test
  void splitModelsLoadFromAnyShard() throws IOException {
    Path first = write(dir.resolve("m-00001-of-00002.gguf"), tinyLlama(null, 0, 2));
    Path second = write(dir.resolve("m-00002-of-00002.gguf"), tinyLlama(null, 1, 2));
    try (GgufShards shards = GgufShards.open(second)) {
      assertEquals(first, shards.path());
      assertEquals(2, shards.files().size());
      assertTrue(shards.contains("token_embd.weight") && shards.contains("blk.0.ffn_down.weight"));
    }
    try (LanguageModel model = LanguageModel.load(first, LoadOptions.defaults().withThreads(1).withTokenizer(false))) {
      assertEquals(HIDDEN, model.config().hiddenSize());
    }
    Files.delete(second);
    FormatException e = assertThrows(FormatException.class, () -> GgufShards.open(first));
    assertTrue(e.getMessage().contains("shard m-00002-of-00002.gguf of the split model is missing"), e.getMessage());
  }

  private static Path write(Path p, byte[] bytes) throws IOException {
    Files.write(p, bytes);
    return p;
  }

  /**
   * A one-layer llama of hidden 8, 2 heads, vocabulary 4, in which every value of a matrix row {@code r} is
   * {@code r}; with {@code shards > 1}, shard {@code shard} holds every other tensor and the split keys.
   */
  private static byte[] tinyLlama(String extraTensor, int shard, int shards) {
    GgufBytes b = new GgufBytes();
    if (shard == 0) {
      b.string("general.architecture", "llama")
          .u32("llama.block_count", 1)
          .u32("llama.context_length", 16)
          .u32("llama.embedding_length", HIDDEN)
          .u32("llama.feed_forward_length", HIDDEN)
          .u32("llama.attention.head_count", HEADS)
          .u32("llama.attention.head_count_kv", HEADS)
          .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
          .u32("llama.vocab_size", 4);
    }
    if (shards > 1) {
      b.u32("split.no", shard).u32("split.count", shards);
    }
    String[] matrices = {"blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight", "blk.0.attn_output.weight",
        "blk.0.ffn_gate.weight", "blk.0.ffn_up.weight", "blk.0.ffn_down.weight"};
    String[] vectors = {"output_norm.weight", "blk.0.attn_norm.weight", "blk.0.ffn_norm.weight"};
    int i = 0;
    for (String name : List.of("token_embd.weight", "output.weight")) {
      if (i++ % shards == shard) {
        b.tensor(name, 0, new long[] {HIDDEN, 4}, rows(4));
      }
    }
    for (String name : matrices) {
      if (i++ % shards == shard) {
        b.tensor(name, 0, new long[] {HIDDEN, HIDDEN}, rows(HIDDEN));
      }
    }
    for (String name : vectors) {
      if (i++ % shards == shard) {
        b.tensor(name, 0, new long[] {HIDDEN}, GgufBytes.f32Bytes(1, 1, 1, 1, 1, 1, 1, 1));
      }
    }
    if (extraTensor != null) {
      b.tensor(extraTensor, 0, new long[] {HIDDEN}, new byte[4 * HIDDEN]);
    }
    return b.build();
  }

  private static byte[] rows(int rows) {
    float[] values = new float[rows * HIDDEN];
    for (int i = 0; i < values.length; i++) {
      values[i] = i / HIDDEN;
    }
    return GgufBytes.f32Bytes(values);
  }
}
