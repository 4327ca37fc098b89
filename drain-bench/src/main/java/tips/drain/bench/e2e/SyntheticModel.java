package tips.drain.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import tips.drain.io.SafetensorsWriter;
import tips.drain.tensor.DType;
import tips.drain.tensor.Floats;

/**
 * Writes a random-weight Llama (or Qwen3-MoE) of a real shape in Hugging Face layout (config.json, model.safetensors,
 * tokenizer.json, tokenizer_config.json), so that benchmarks need no download:
 * <pre>
 *   java -cp drain-bench/target/drain-bench.jar tips.drain.bench.e2e.SyntheticModel \
 *       --shape tinyllama-1.1b --dtype BF16 --out models/tinyllama-synthetic-bf16
 * </pre>
 * The weights are uniform in ±0.05 from a fixed seed (norms are 1), so speed is that of the real model of
 * this shape; the text it generates is noise.
 */
public final class SyntheticModel {

  /**
   * A model shape: a Llama, or with {@code experts} a Qwen3-MoE (q/k norms, every layer sparse).
   */
  public record Shape(String name, int hidden, int ffn, int layers, int heads, int kvHeads, int vocab, boolean tied,
      double ropeTheta, Experts experts) {

    Shape(String name, int hidden, int ffn, int layers, int heads, int kvHeads, int vocab, boolean tied, double ropeTheta) {
      this(name, hidden, ffn, layers, heads, kvHeads, vocab, tied, ropeTheta, null);
    }

    int headDim() {
      return experts != null ? experts.headDim() : hidden / heads;
    }
  }

  /** The mixture of experts of a Qwen3-MoE shape: {@code count} experts of width {@code ffn}, top-{@code topK}. */
  public record Experts(int count, int topK, int ffn, int headDim) {}

  public static final Shape TINYLLAMA = new Shape("tinyllama-1.1b", 2048, 5632, 22, 32, 4, 32000, false, 10000.0);
  public static final Shape LLAMA32_1B = new Shape("llama-3.2-1b", 2048, 8192, 16, 32, 8, 128256, true, 500000.0);
  /**
   * Qwen3-30B-A3B's layer shape (hidden 2048, 32/4 heads of 128, 128 experts of 768, top-8, vocabulary 151936) with 4
   * of its 48 layers, so that it fits in memory.
   */
  public static final Shape QWEN3_30B_A3B_4L = new Shape("qwen3-30b-a3b-4l", 2048, 6144, 4, 32, 4, 151936, false, 1e6,
      new Experts(128, 8, 768, 128));
  /** A small shape for tests of the benchmark itself. */
  public static final Shape MINI = new Shape("mini", 256, 688, 2, 8, 2, 1024, false, 10000.0);
  /** A small mixture of experts for tests of the benchmark itself. */
  public static final Shape MINI_MOE = new Shape("mini-moe", 256, 688, 2, 8, 2, 1024, false, 1e6, new Experts(8, 2, 128, 32));

  private SyntheticModel() {}

  public static void main(String[] args) throws IOException {
    String shapeName = "tinyllama-1.1b";
    String dtype = "BF16";
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--shape" -> shapeName = args[++i];
        case "--dtype" -> dtype = args[++i].toUpperCase(Locale.ROOT);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; usage: SyntheticModel [--shape tinyllama-1.1b|llama-3.2-1b|qwen3-30b-a3b-4l|mini|mini-moe] "
            + "[--dtype BF16|F16|F32] --out DIR");
      }
    }
    if (out == null) {
      throw new IllegalArgumentException("--out DIR is required");
    }
    Shape shape = switch (shapeName) {
      case "tinyllama-1.1b" -> TINYLLAMA;
      case "llama-3.2-1b" -> LLAMA32_1B;
      case "qwen3-30b-a3b-4l" -> QWEN3_30B_A3B_4L;
      case "mini" -> MINI;
      case "mini-moe" -> MINI_MOE;
      default -> throw new IllegalArgumentException("unknown shape " + shapeName);
    };
    DType type = DType.fromSafetensorsName(dtype).filter(DType::isFloatWeight)
        .orElseThrow(() -> new IllegalArgumentException("--dtype must be BF16, F16 or F32"));
    long t0 = System.nanoTime();
    write(shape, type, out);
    System.err.printf(Locale.ROOT, "wrote %s (%s, %s) in %.1f s%n", out, shape.name(), type, (System.nanoTime() - t0) / 1e9);
  }

  /** Writes the model directory. */
  public static void write(Shape s, DType type, Path dir) throws IOException {
    Files.createDirectories(dir);
    int headDim = s.headDim();
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
    long seed = 1;
    matrix(w, "model.embed_tokens.weight", s.vocab(), s.hidden(), type, seed++);
    for (int l = 0; l < s.layers(); l++) {
      String p = "model.layers." + l + ".";
      ones(w, p + "input_layernorm.weight", s.hidden(), type);
      matrix(w, p + "self_attn.q_proj.weight", s.heads() * headDim, s.hidden(), type, seed++);
      matrix(w, p + "self_attn.k_proj.weight", s.kvHeads() * headDim, s.hidden(), type, seed++);
      matrix(w, p + "self_attn.v_proj.weight", s.kvHeads() * headDim, s.hidden(), type, seed++);
      matrix(w, p + "self_attn.o_proj.weight", s.hidden(), s.heads() * headDim, type, seed++);
      ones(w, p + "post_attention_layernorm.weight", s.hidden(), type);
      if (s.experts() == null) {
        matrix(w, p + "mlp.gate_proj.weight", s.ffn(), s.hidden(), type, seed++);
        matrix(w, p + "mlp.up_proj.weight", s.ffn(), s.hidden(), type, seed++);
        matrix(w, p + "mlp.down_proj.weight", s.hidden(), s.ffn(), type, seed++);
        continue;
      }
      Experts e = s.experts();
      ones(w, p + "self_attn.q_norm.weight", headDim, type);
      ones(w, p + "self_attn.k_norm.weight", headDim, type);
      matrix(w, p + "mlp.gate.weight", e.count(), s.hidden(), type, seed++);
      for (int x = 0; x < e.count(); x++) {
        String q = p + "mlp.experts." + x + ".";
        matrix(w, q + "gate_proj.weight", e.ffn(), s.hidden(), type, seed++);
        matrix(w, q + "up_proj.weight", e.ffn(), s.hidden(), type, seed++);
        matrix(w, q + "down_proj.weight", s.hidden(), e.ffn(), type, seed++);
      }
    }
    ones(w, "model.norm.weight", s.hidden(), type);
    if (!s.tied()) {
      matrix(w, "lm_head.weight", s.vocab(), s.hidden(), type, seed);
    }
    w.write(dir.resolve("model.safetensors"));
    Files.writeString(dir.resolve("config.json"), config(s, type));
    Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": 2}\n");
    SyntheticTokenizer.write(dir, s.vocab());
  }

  private static String config(Shape s, DType type) {
    ObjectNode c = new ObjectMapper().createObjectNode();
    c.putArray("architectures").add(s.experts() == null ? "LlamaForCausalLM" : "Qwen3MoeForCausalLM");
    c.put("model_type", s.experts() == null ? "llama" : "qwen3_moe");
    if (s.experts() != null) {
      c.put("head_dim", s.experts().headDim());
      c.put("num_experts", s.experts().count());
      c.put("num_experts_per_tok", s.experts().topK());
      c.put("moe_intermediate_size", s.experts().ffn());
      c.put("norm_topk_prob", true);
      c.put("decoder_sparse_step", 1);
      c.putArray("mlp_only_layers");
    }
    c.put("hidden_size", s.hidden());
    c.put("intermediate_size", s.ffn());
    c.put("num_hidden_layers", s.layers());
    c.put("num_attention_heads", s.heads());
    c.put("num_key_value_heads", s.kvHeads());
    c.put("vocab_size", s.vocab());
    c.put("max_position_embeddings", 2048);
    c.put("rms_norm_eps", 1e-5);
    c.put("rope_theta", s.ropeTheta());
    c.put("tie_word_embeddings", s.tied());
    c.put("hidden_act", "silu");
    c.put("bos_token_id", 1);
    c.put("eos_token_id", 2);
    c.put("torch_dtype", switch (type) {
      case BF16 -> "bfloat16";
      case F16 -> "float16";
      default -> "float32";
    });
    return c.toPrettyString() + "\n";
  }

  private static void ones(SafetensorsWriter w, String name, int n, DType type) {
    w.add(name, type, new long[] {n}, (long) n * type.bytes(), ch -> fill(ch, n, type, null));
  }

  private static void matrix(SafetensorsWriter w, String name, int rows, int cols, DType type, long seed) {
    long n = (long) rows * cols;
    w.add(name, type, new long[] {rows, cols}, n * type.bytes(), ch -> fill(ch, n, type, new long[] {seed * 0x9E3779B97F4A7C15L + 1}));
  }

  /** Writes {@code n} values: ones when {@code state} is null, else uniform in ±0.05 from an xorshift state. */
  private static void fill(WritableByteChannel ch, long n, DType type, long[] state) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < n; i++) {
      float v = 1f;
      if (state != null) {
        long x = state[0];
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        state[0] = x;
        v = ((x >>> 40) / (float) (1 << 24) - 0.5f) * 0.1f;
      }
      switch (type) {
        case F32 -> buf.putFloat(v);
        case BF16 -> buf.putShort(Floats.floatToBf16(v));
        case F16 -> buf.putShort(Floats.floatToF16(v));
        default -> throw new AssertionError(type);
      }
      if (!buf.hasRemaining()) {
        drain(ch, buf);
      }
    }
    drain(ch, buf);
  }

  private static void drain(WritableByteChannel ch, ByteBuffer buf) throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    buf.clear();
  }

}
