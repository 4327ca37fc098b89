package tips.drain.model.gguf;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The GGUF architectures ({@code general.architecture}) DRAIN runs, and how llama.cpp's converter stored each:
 * which Hugging Face family it came from, whether the query and key rows were permuted for llama.cpp's
 * interleaved rotary embedding ({@code llama}), whether norm weights hold {@code 1 + w} (Gemma), and how the
 * layer tensors are named.
 */
public enum GgufFamily {
  LLAMA("llama", true, false),
  QWEN2("qwen2", false, false),
  QWEN3("qwen3", false, false),
  PHI3("phi3", false, false),
  GEMMA2("gemma2", false, true),
  GEMMA3("gemma3", false, true);

  private final String ggufName;
  private final boolean permutedQueryKey;
  private final boolean normsPlusOne;

  GgufFamily(String ggufName, boolean permutedQueryKey, boolean normsPlusOne) {
    this.ggufName = ggufName;
    this.permutedQueryKey = permutedQueryKey;
    this.normsPlusOne = normsPlusOne;
  }

  /** The {@code general.architecture} value. */
  public String ggufName() {
    return ggufName;
  }

  /** True when {@code attn_q} / {@code attn_k} rows are in llama.cpp's interleaved order (the converter's permute). */
  public boolean permutedQueryKey() {
    return permutedQueryKey;
  }

  /** True when every {@code *norm.weight} holds {@code 1 + w} (Gemma's converter adds the 1 the model adds at run time). */
  public boolean normsPlusOne() {
    return normsPlusOne;
  }

  public static Optional<GgufFamily> of(String architecture) {
    return Arrays.stream(values()).filter(f -> f.ggufName.equals(architecture)).findFirst();
  }

  /** The supported {@code general.architecture} values, for messages. */
  public static String supported() {
    return Arrays.stream(values()).map(GgufFamily::ggufName).collect(Collectors.joining(", "));
  }

  /**
   * The Hugging Face name of the layer tensor GGUF calls {@code blk.N.<base>} (without {@code .weight} /
   * {@code .bias}), relative to {@code model.layers.N}; null when this family has no such tensor.
   */
  String layerTensor(String base) {
    return switch (base) {
      case "attn_norm" -> "input_layernorm";
      case "attn_q" -> "self_attn.q_proj";
      case "attn_k" -> "self_attn.k_proj";
      case "attn_v" -> "self_attn.v_proj";
      case "attn_output" -> "self_attn.o_proj";
      case "attn_q_norm" -> "self_attn.q_norm";
      case "attn_k_norm" -> "self_attn.k_norm";
      case "attn_qkv" -> this == PHI3 ? "self_attn.qkv_proj" : null;
      case "ffn_gate" -> this == PHI3 ? null : "mlp.gate_proj";
      case "ffn_up" -> this == PHI3 ? "mlp.gate_up_proj" : "mlp.up_proj";
      case "ffn_down" -> "mlp.down_proj";
      case "ffn_norm" -> normsPlusOne ? "pre_feedforward_layernorm" : "post_attention_layernorm";
      case "post_attention_norm" -> normsPlusOne ? "post_attention_layernorm" : null;
      case "post_ffw_norm" -> normsPlusOne ? "post_feedforward_layernorm" : null;
      case "ffn_gate_inp" -> this == LLAMA ? "block_sparse_moe.gate" : null;
      default -> null;
    };
  }

  /** The Mixtral expert projection ({@code w1}, {@code w2}, {@code w3}) of GGUF's {@code ffn_gate/down/up[_exps]}, or null. */
  static String expertTensor(String base) {
    return switch (base) {
      case "ffn_gate_exps", "ffn_gate" -> "w1";
      case "ffn_down_exps", "ffn_down" -> "w2";
      case "ffn_up_exps", "ffn_up" -> "w3";
      default -> null;
    };
  }
}
