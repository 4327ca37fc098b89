package tips.drain.model.encoder;

/** The activation of an encoder's feed-forward block ({@code hidden_act}). */
public enum EncoderActivation {
  /** {@code gelu}: exact, with erf (BERT). */
  GELU,
  /** {@code gelu_new}, {@code gelu_pytorch_tanh}: the tanh approximation. */
  GELU_TANH;

  /** The activation named {@code hiddenAct}, or null when DRAIN has none of that name. */
  public static EncoderActivation of(String hiddenAct) {
    return switch (hiddenAct) {
      case "gelu" -> GELU;
      case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
      default -> null;
    };
  }
}
