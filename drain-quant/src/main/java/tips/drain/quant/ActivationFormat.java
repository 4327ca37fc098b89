package tips.drain.quant;

import tips.drain.tensor.InputKind;

/**
 * The 8-bit forms activations take before they are dotted with block-quantized weights, as ggml pairs them
 * ({@code vec_dot_type}): the encodings of {@link QuantizedInput}s, so that matrices reading the same one
 * share it ({@code MatrixGroup}).
 */
public enum ActivationFormat implements InputKind.Encoding {
  /**
   * ggml's Q8_0 blocks of 32 ({@link Q8Activations}), with each block's sum and ggml's Q8_1 {@code s}: the
   * activations of Q8_0, Q4_0 and Q5_0 (Q8_0) and of Q4_1 and Q5_1 (Q8_1, the same values plus {@code s}).
   */
  Q8_0,
  /** {@link #Q8_0} with vector 0 also laid out for the 512-bit Q4_0 decode kernel ({@link Q4_0Order}). */
  Q8_0_Q4_0_ORDER,
  /** ggml's Q8_K super-blocks of 256 ({@link Q8KActivations}): the activations of Q4_K, Q5_K and Q6_K. */
  Q8_K
}
