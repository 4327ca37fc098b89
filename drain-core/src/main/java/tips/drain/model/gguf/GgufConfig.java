package tips.drain.model.gguf;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import tips.drain.io.GgufMetadata;
import tips.drain.io.GgufShards;
import tips.drain.model.ConfigException;
import tips.drain.model.UnsupportedArchitectureException;

/**
 * Writes the {@code config.json} a GGUF file's metadata stands for ({@code general.architecture} and its
 * {@code <arch>.*} keys), so that the family's own resolver turns it into the same {@link tips.drain.model.ModelConfig}
 * as the Hugging Face checkpoint the file was converted from. What GGUF does not store is set as llama.cpp
 * assumes it (Gemma's attention scale, Gemma 3's layer pattern of 6, no sliding window on {@code llama}).
 */
final class GgufConfig {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private GgufConfig() {}

  static ObjectNode toConfigJson(GgufShards shards, GgufFamily family) {
    GgufMetadata m = shards.metadata();
    Path file = shards.path();
    String a = family.ggufName() + ".";
    ObjectNode c = JSON.objectNode();
    int hidden = m.integer(a + "embedding_length");
    int heads = perLayerConstant(m, a + "attention.head_count", file);
    int layers = m.integer(a + "block_count");
    boolean moe = family == GgufFamily.LLAMA && m.optInteger(a + "expert_count").orElse(0) > 0;
    String modelType = switch (family) {
      case LLAMA -> moe ? "mixtral" : "llama";
      case QWEN2 -> "qwen2";
      case QWEN3 -> "qwen3";
      case PHI3 -> "phi3";
      case GEMMA2 -> "gemma2";
      case GEMMA3 -> "gemma3_text";
    };
    String className = switch (family) {
      case LLAMA -> moe ? "MixtralForCausalLM" : "LlamaForCausalLM";
      case QWEN2 -> "Qwen2ForCausalLM";
      case QWEN3 -> "Qwen3ForCausalLM";
      case PHI3 -> "Phi3ForCausalLM";
      case GEMMA2 -> "Gemma2ForCausalLM";
      case GEMMA3 -> "Gemma3ForCausalLM";
    };
    c.put("model_type", modelType);
    c.putArray("architectures").add(className);
    c.put("hidden_size", hidden);
    c.put("intermediate_size", perLayerConstant(m, a + "feed_forward_length", file));
    c.put("num_hidden_layers", layers);
    c.put("num_attention_heads", heads);
    if (m.has(a + "attention.head_count_kv")) {
      c.put("num_key_value_heads", perLayerConstant(m, a + "attention.head_count_kv", file));
    }
    int headDim = hidden / heads;
    if (m.has(a + "attention.key_length")) {
      headDim = m.integer(a + "attention.key_length");
      int valueLength = m.optInteger(a + "attention.value_length").orElse(headDim);
      if (valueLength != headDim) {
        throw new UnsupportedArchitectureException(file + ": " + a + "attention.value_length " + valueLength
            + " differs from key_length " + headDim + "; DRAIN runs equal head sizes");
      }
      c.put("head_dim", headDim);
    }
    if (m.has(a + "rope.dimension_count") && m.integer(a + "rope.dimension_count") != headDim) {
      c.put("partial_rotary_factor", (double) m.integer(a + "rope.dimension_count") / headDim);
    }
    c.put("max_position_embeddings", m.integer(a + "context_length"));
    c.put("rms_norm_eps", m.number(a + "attention.layer_norm_rms_epsilon"));
    if (m.has(a + "rope.freq_base")) {
      c.put("rope_theta", m.number(a + "rope.freq_base"));
    }
    ropeScaling(m, a, c, file);
    c.put("vocab_size", vocabSize(shards, a));
    c.put("tie_word_embeddings", !shards.contains("output.weight"));
    m.optTokenId("tokenizer.ggml.bos_token_id").ifPresent(id -> c.put("bos_token_id", id));
    Set<Integer> eos = new LinkedHashSet<>();
    for (String key : new String[] {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
      m.optTokenId(key).ifPresent(eos::add);
    }
    if (!m.has("tokenizer.ggml.eot_token_id")) {
      eos.addAll(endOfTurnTokens(m));
    }
    if (!eos.isEmpty()) {
      var array = c.putArray("eos_token_id");
      eos.forEach(array::add);
    }
    boolean bias = shards.contains("blk.0.attn_q.bias");
    switch (family) {
      case LLAMA -> {
        c.put("attention_bias", bias);
        c.put("mlp_bias", shards.contains("blk.0.ffn_gate.bias"));
        if (moe) {
          c.put("num_local_experts", m.integer(a + "expert_count"));
          c.put("num_experts_per_tok", m.integer(a + "expert_used_count"));
          c.putNull("sliding_window");
        }
      }
      case QWEN2 -> c.put("use_sliding_window", false);
      case QWEN3 -> c.put("attention_bias", bias);
      case PHI3 -> {
        int window = m.optInteger(a + "attention.sliding_window").orElse(0);
        if (window > 0) {
          c.put("sliding_window", window);
        } else {
          c.putNull("sliding_window");
        }
        if (shards.contains("rope_factors_long.weight") || shards.contains("rope_factors_short.weight")) {
          throw new UnsupportedArchitectureException(file + ": long-context Phi-3 (rope_factors_long/short, longrope "
              + "scaling) is not supported");
        }
      }
      case GEMMA2, GEMMA3 -> {
        c.put("hidden_activation", "gelu_pytorch_tanh");
        c.put("query_pre_attn_scalar", gemmaQueryScalar(family, layers, hidden, heads, headDim));
        int window = m.optInteger(a + "attention.sliding_window").orElse(0);
        if (window > 0) {
          c.put("sliding_window", window);
        } else {
          c.putNull("sliding_window");
        }
        if (family == GgufFamily.GEMMA2) {
          softcap(m, a + "attn_logit_softcapping", "attn_logit_softcapping", c);
          softcap(m, a + "final_logit_softcapping", "final_logit_softcapping", c);
        } else {
          c.put("rope_local_base_freq", m.optNumber(a + "rope.freq_base_swa").orElse(10000.0));
          c.put("sliding_window_pattern", m.optInteger(a + "attention.sliding_window_pattern").orElse(6));
        }
      }
    }
    return c;
  }

  /** End-of-turn markers llama.cpp recognizes by their text in files without {@code tokenizer.ggml.eot_token_id}. */
  private static final Set<String> END_OF_TURN = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
      "<|endoftext|>", "<EOT>", "<|end_of_text|>");

  /** The ids of control or user-defined tokens whose text is an {@link #END_OF_TURN} marker. */
  private static Set<Integer> endOfTurnTokens(GgufMetadata m) {
    Set<Integer> ids = new LinkedHashSet<>();
    if (!m.has("tokenizer.ggml.tokens") || !m.has("tokenizer.ggml.token_type")) {
      return ids;
    }
    java.util.List<String> tokens = m.strings("tokenizer.ggml.tokens");
    int[] types = m.ints("tokenizer.ggml.token_type");
    for (int i = 0; i < Math.min(tokens.size(), types.length); i++) {
      if ((types[i] == 3 || types[i] == 4) && END_OF_TURN.contains(tokens.get(i))) {
        ids.add(i);
      }
    }
    return ids;
  }

  /**
   * llama.cpp scales Gemma's attention by {@code 1/sqrt(head_dim)}, except for the 27B models (Gemma 2: 46
   * layers, Gemma 3: 62), whose {@code query_pre_attn_scalar} is {@code hidden / heads}.
   */
  private static double gemmaQueryScalar(GgufFamily family, int layers, int hidden, int heads, int headDim) {
    boolean large = family == GgufFamily.GEMMA2 ? layers == 46 : layers == 62;
    return large ? (double) hidden / heads : headDim;
  }

  private static void softcap(GgufMetadata m, String key, String field, ObjectNode c) {
    if (m.has(key) && m.number(key) > 0) {
      c.put(field, m.number(key));
    } else {
      c.putNull(field);
    }
  }

  private static void ropeScaling(GgufMetadata m, String a, ObjectNode c, Path file) {
    String type = m.optString(a + "rope.scaling.type").orElse("none");
    switch (type) {
      case "none" -> { }
      case "linear" -> {
        ObjectNode s = c.putObject("rope_scaling");
        s.put("rope_type", "linear");
        s.put("factor", m.number(a + "rope.scaling.factor"));
      }
      case "yarn" -> {
        ObjectNode s = c.putObject("rope_scaling");
        s.put("rope_type", "yarn");
        s.put("factor", m.number(a + "rope.scaling.factor"));
        m.optInteger(a + "rope.scaling.original_context_length")
            .ifPresent(n -> s.put("original_max_position_embeddings", n));
        m.optNumber(a + "rope.scaling.yarn_beta_fast").ifPresent(v -> s.put("beta_fast", v));
        m.optNumber(a + "rope.scaling.yarn_beta_slow").ifPresent(v -> s.put("beta_slow", v));
      }
      default -> throw new UnsupportedArchitectureException(file + ": " + a + "rope.scaling.type '" + type
          + "' is not supported (none, linear, yarn)");
    }
  }

  private static int vocabSize(GgufShards shards, String a) {
    GgufMetadata m = shards.metadata();
    if (m.has(a + "vocab_size")) {
      return m.integer(a + "vocab_size");
    }
    if (shards.contains("token_embd.weight")) {
      long[] shape = shards.info("token_embd.weight").shape();
      return Math.toIntExact(shape[0]);
    }
    return m.strings("tokenizer.ggml.tokens").size();
  }

  /** A per-model value that GGUF may store per layer (an array): it must be the same for every layer. */
  private static int perLayerConstant(GgufMetadata m, String key, Path file) {
    if (m.type(key).map(t -> t == tips.drain.io.GgufValueType.ARRAY).orElse(false)) {
      int[] values = m.ints(key);
      for (int v : values) {
        if (v != values[0]) {
          throw new UnsupportedArchitectureException(file + ": metadata '" + key + "' differs between layers, which DRAIN "
              + "does not run");
        }
      }
      if (values.length == 0) {
        throw new ConfigException(file + ": metadata '" + key + "' is an empty array");
      }
      return values[0];
    }
    return m.integer(key);
  }
}
