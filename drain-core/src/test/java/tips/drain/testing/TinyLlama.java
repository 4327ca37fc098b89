package tips.drain.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import tips.drain.io.SafetensorsWriter;

/**
 * Writes a small random-weight Llama in Hugging Face layout (config.json + model.safetensors, F32), for unit
 * tests that need a model but no reference data. The weights are kept so tests can recompute the forward
 * pass independently.
 */
public final class TinyLlama {
  public final int hidden;
  public final int ffn;
  public final int layers;
  public final int heads;
  public final int kvHeads;
  public final int headDim;
  public final int vocab;
  public final double ropeTheta = 10000.0;
  public final double eps = 1e-5;
  public final boolean tied;
  /** Every tensor by its HF name, row-major. */
  public final Map<String, float[]> tensors = new LinkedHashMap<>();

  public TinyLlama(int hidden, int ffn, int layers, int heads, int kvHeads, int vocab, boolean tied, long seed) {
    this.hidden = hidden;
    this.ffn = ffn;
    this.layers = layers;
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = hidden / heads;
    this.vocab = vocab;
    this.tied = tied;
    SplittableRandom r = new SplittableRandom(seed);
    put("model.embed_tokens.weight", random(r, vocab * hidden, 0.5));
    for (int l = 0; l < layers; l++) {
      String p = "model.layers." + l + ".";
      put(p + "input_layernorm.weight", norm(r, hidden));
      put(p + "self_attn.q_proj.weight", random(r, heads * headDim * hidden, 0.2));
      put(p + "self_attn.k_proj.weight", random(r, kvHeads * headDim * hidden, 0.2));
      put(p + "self_attn.v_proj.weight", random(r, kvHeads * headDim * hidden, 0.2));
      put(p + "self_attn.o_proj.weight", random(r, hidden * heads * headDim, 0.2));
      put(p + "post_attention_layernorm.weight", norm(r, hidden));
      put(p + "mlp.gate_proj.weight", random(r, ffn * hidden, 0.2));
      put(p + "mlp.up_proj.weight", random(r, ffn * hidden, 0.2));
      put(p + "mlp.down_proj.weight", random(r, hidden * ffn, 0.2));
    }
    put("model.norm.weight", norm(r, hidden));
    if (!tied) {
      put("lm_head.weight", random(r, vocab * hidden, 0.5));
    }
  }

  /** A 2-layer model, 4 query and 2 KV heads of 8, vocabulary 64. */
  public static TinyLlama small(long seed) {
    return new TinyLlama(32, 48, 2, 4, 2, 64, false, seed);
  }

  private void put(String name, float[] values) {
    tensors.put(name, values);
  }

  private static float[] random(SplittableRandom r, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
    }
    return a;
  }

  private static float[] norm(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (1 + (r.nextDouble() - 0.5) * 0.4);
    }
    return a;
  }

  /** Shape of tensor {@code name}. */
  public long[] shape(String name) {
    if (name.endsWith("norm.weight")) {
      return new long[] {hidden};
    }
    int n = tensors.get(name).length;
    int cols = name.contains("down_proj") ? ffn : name.contains("o_proj") ? heads * headDim : hidden;
    return new long[] {n / cols, cols};
  }

  /** Writes config.json and model.safetensors into {@code dir} and returns it. */
  public Path write(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.json"), configJson());
      SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
      tensors.forEach((name, values) -> w.addF32(name, shape(name), values));
      w.write(dir.resolve("model.safetensors"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String configJson() {
    return """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": %d, "intermediate_size": %d,
         "num_hidden_layers": %d, "num_attention_heads": %d, "num_key_value_heads": %d, "vocab_size": %d,
         "rms_norm_eps": %s, "rope_theta": %s, "max_position_embeddings": 256, "tie_word_embeddings": %s,
         "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu"}
        """.formatted(hidden, ffn, layers, heads, kvHeads, vocab, eps, ropeTheta, tied);
  }
}
