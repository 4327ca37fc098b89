package tips.drain.model;

/** MLP activations, by their transformers names. */
public enum Activation {
  /** {@code silu} / {@code swish}: x·σ(x). */
  SILU,
  /** {@code gelu_pytorch_tanh}: the tanh approximation of GELU (also BLOOM's {@code bloom_gelu}). */
  GELU_TANH,
  /** {@code gelu}: the exact GELU, {@code 0.5·x·(1 + erf(x/√2))} (Falcon's {@code nn.GELU()}). */
  GELU,
  /**
   * GPT-OSS's clamped SwiGLU of its experts: {@code gate = min(gate, limit)}, {@code up = clamp(up, ±limit)},
   * {@code (up + 1) · gate · σ(alpha · gate)} with alpha 1.702 and limit {@code swiglu_limit} (7).
   */
  CLAMPED_SWIGLU;

  /** GPT-OSS's {@code alpha}, hard-coded in transformers' {@code GptOssExperts}. */
  public static final float SWIGLU_ALPHA = 1.702f;
  /** GPT-OSS's {@code limit}, hard-coded in transformers 4.55 ({@code swiglu_limit} in the config). */
  public static final float SWIGLU_LIMIT = 7f;

  /** Parses a transformers {@code hidden_act} value. */
  public static Activation fromHf(String name, String where) {
    return switch (name) {
      case "silu", "swish" -> SILU;
      case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> GELU_TANH;
      case "gelu" -> GELU;
      default -> throw new UnsupportedArchitectureException(
          where + ": hidden activation '" + name + "' is not supported (supported: silu, gelu, gelu_pytorch_tanh)");
    };
  }
}
