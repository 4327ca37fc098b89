package tips.drain.quant;

import tips.drain.tensor.PreparedInput;

/** Activations quantized once per product for block-quantized weights: Q8_0 / Q8_1 blocks or Q8_K super-blocks. */
public sealed interface QuantizedInput extends PreparedInput permits Q8Activations, Q8KActivations {

  /** Vectors held. */
  int batch();

  /** Values per vector. */
  int cols();
}
