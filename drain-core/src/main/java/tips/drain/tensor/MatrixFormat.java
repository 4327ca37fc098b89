package tips.drain.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A weight storage format beyond the dense float types, e.g. the block-quantized Q8_0 and Q4_0 of
 * drain-quant. Implementations are found with {@link ServiceLoader}, so drain-core knows none of them:
 * it asks for a format by name when a model is quantized on load or when a quantized file is opened.
 */
public interface MatrixFormat {

  /** The format's name, upper case as stored in files: {@code "Q8_0"}, {@code "Q4_0"}. */
  String name();

  /** True if a matrix of {@code cols} input features can be stored in this format (e.g. cols % 32 == 0). */
  boolean supports(int cols);

  /** Bytes a {@code rows × cols} matrix takes in this format. */
  long byteSize(int rows, int cols);

  /** Quantizes {@code source} into a new matrix of this format (in memory). Requires {@link #supports}. */
  Matrix quantize(Matrix source, tips.drain.util.Parallel parallel);

  /** A matrix over data already stored in this format (e.g. a memory-mapped quantized file), zero-copy. */
  Matrix open(MemorySegment data, int rows, int cols);

  /** The format named {@code name} (case-insensitive), if an implementation is on the class path. */
  static Optional<MatrixFormat> byName(String name) {
    String wanted = name.toUpperCase(Locale.ROOT);
    for (MatrixFormat f : ServiceLoader.load(MatrixFormat.class)) {
      if (f.name().equals(wanted)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
