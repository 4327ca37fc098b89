package tips.drain.api;

import tips.drain.DrainException;
import tips.drain.model.TransformerWeights;
import tips.drain.tensor.DType;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.MatrixFormat;
import tips.drain.util.Parallel;

/**
 * Quantize-on-load: the projection matrices of every layer (every expert of a mixture) go to the requested
 * format; the embedding, the norms and a MoE router stay as stored; the output head goes to
 * {@link #headFormat} (Q6_K when the layers are K-quants, as llama.cpp does, and Q8_0 for the other formats
 * of fewer bits: the head's errors reach every logit directly). A matrix whose width the format cannot hold (not a
 * multiple of its block) stays as stored, and so does a matrix already stored in a block format (GPT-OSS's MXFP4
 * experts, a {@code drain quantize} directory). A LoRA adapter applied at run time stays on top of its quantized base.
 */
final class Quantization {
  private Quantization() {}

  static TransformerWeights apply(TransformerWeights w, String formatName, Parallel parallel) {
    MatrixFormat format = MatrixFormat.byName(formatName).orElseThrow(() -> new DrainException(
        "quantization '" + formatName + "' is not available (known formats come from drain-quant: q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k, q6_k)"));
    // a tied head gets its own quantized copy; the embedding keeps its stored precision for lookups
    MatrixFormat head = headFormat(format);
    return w.mapMatrices(m -> q(m, format, parallel), m -> q(m, head, parallel));
  }

  /** The output head's format for layers in {@code format}: Q6_K for the K-quants, Q8_0 for other formats of fewer bits. */
  static MatrixFormat headFormat(MatrixFormat format) {
    if (format.name().endsWith("_K")) {
      return MatrixFormat.byName("Q6_K").orElse(format);
    }
    if (format.byteSize(1, 256) >= 8 * 34) {
      return format;
    }
    return MatrixFormat.byName("Q8_0").orElse(format);
  }

  /** {@code m} in {@code format}; a matrix the checkpoint already stores in a block format (GPT-OSS's MXFP4 experts) stays. */
  private static Matrix q(Matrix m, MatrixFormat format, Parallel parallel) {
    if (DType.fromSafetensorsName(m.format()).filter(DType::isFloatWeight).isEmpty()) {
      return m;
    }
    return format.supports(m.cols()) ? format.quantize(m, parallel) : m;
  }
}
