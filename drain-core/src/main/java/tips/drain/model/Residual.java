package tips.drain.model;

/** How a decoder layer's attention and MLP join the residual stream. */
public enum Residual {
  /** Llama: {@code x += attn(norm1(x)); x += mlp(norm2(x))}. */
  SEQUENTIAL,
  /**
   * Falcon ({@code parallel_attn}, {@code new_decoder_architecture}): both read the layer's input,
   * {@code x += attn(norm1(x)) + mlp(norm2(x))}, where the two norms may be one ({@code input_layernorm}).
   */
  PARALLEL
}
