package tips.drain.api;

import java.util.ArrayList;
import java.util.List;
import tips.drain.DrainException;
import tips.drain.model.AttentionWeights;
import tips.drain.model.FeedForwardWeights;
import tips.drain.model.LayerWeights;
import tips.drain.model.TransformerWeights;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.MatrixFormat;
import tips.drain.util.Parallel;

/**
 * Quantize-on-load: the projection matrices of every layer go to the requested format; the embedding and the
 * norms stay as stored; the output head goes to {@link #headFormat} (8-bit when the layers are 4-bit: the
 * head's errors reach every logit directly, which is why llama.cpp keeps it at 6 bits). A matrix whose width
 * the format cannot hold (not a multiple of its block) stays as stored.
 */
final class Quantization {
  private Quantization() {}

  static TransformerWeights apply(TransformerWeights w, String formatName, Parallel parallel) {
    MatrixFormat format = MatrixFormat.byName(formatName).orElseThrow(() -> new DrainException(
        "quantization '" + formatName + "' is not available (known formats come from drain-quant: q8_0, q4_0)"));
    List<LayerWeights> layers = new ArrayList<>();
    for (LayerWeights l : w.layers()) {
      AttentionWeights a = l.attention();
      FeedForwardWeights f = l.mlp();
      layers.add(new LayerWeights(l.inputNorm(),
          new AttentionWeights(q(a.wq(), format, parallel), q(a.wk(), format, parallel), q(a.wv(), format, parallel),
              q(a.wo(), format, parallel), a.bq(), a.bk(), a.bv(), a.bo()),
          l.postAttentionNorm(),
          new FeedForwardWeights(q(f.gate(), format, parallel), q(f.up(), format, parallel), q(f.down(), format, parallel),
              f.bGate(), f.bUp(), f.bDown())));
    }
    // a tied head gets its own quantized copy; the embedding keeps its stored precision for lookups
    Matrix head = q(w.lmHead(), headFormat(format), parallel);
    return new TransformerWeights(w.embedding(), layers, w.finalNorm(), head);
  }

  /** The output head's format for layers in {@code format}: Q8_0 for formats of fewer bits. */
  static MatrixFormat headFormat(MatrixFormat format) {
    if (format.byteSize(1, 32) >= 34) {
      return format;
    }
    return MatrixFormat.byName("Q8_0").orElse(format);
  }

  private static Matrix q(Matrix m, MatrixFormat format, Parallel parallel) {
    return format.supports(m.cols()) ? format.quantize(m, parallel) : m;
  }
}
