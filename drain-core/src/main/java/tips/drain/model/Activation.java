package tips.drain.model;

/** MLP activations, by their transformers names. */
public enum Activation {
  /** {@code silu} / {@code swish}: x·σ(x). */
  SILU,
  /** {@code gelu_pytorch_tanh}: the tanh approximation of GELU. */
  GELU_TANH;

  /** Parses a transformers {@code hidden_act} value. */
  public static Activation fromHf(String name, String where) {
    return switch (name) {
      case "silu", "swish" -> SILU;
      case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> GELU_TANH;
      default -> throw new UnsupportedArchitectureException(
          where + ": hidden activation '" + name + "' is not supported (supported: silu, gelu_pytorch_tanh)");
    };
  }
}
