package tips.drain.api;

import tips.drain.DrainException;
import tips.drain.model.TransformerWeights;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.MatrixFormat;
import tips.drain.util.Parallel;

/**
 * Quantize-on-load: the projection matrices of every layer (every expert of a mixture) and the output head go
 * to the requested format; the embedding, the norms and a MoE router stay as stored. A matrix whose width the
 * format cannot hold (not a multiple of its block) stays as stored too.
 */
final class Quantization {
  private Quantization() {}

  static TransformerWeights apply(TransformerWeights w, String formatName, Parallel parallel) {
    MatrixFormat format = MatrixFormat.byName(formatName).orElseThrow(() -> new DrainException(
        "quantization '" + formatName + "' is not available (known formats come from drain-quant: q8_0, q4_0)"));
    // a tied head gets its own quantized copy; the embedding keeps its stored precision for lookups
    return w.mapMatrices(m -> q(m, format, parallel), m -> q(m, format, parallel));
  }

  private static Matrix q(Matrix m, MatrixFormat format, Parallel parallel) {
    return format.supports(m.cols()) ? format.quantize(m, parallel) : m;
  }
}
