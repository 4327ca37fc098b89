package tips.drain.bench.e2e;

import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Jlama's own Q4 conversion of a model directory, for the quantized side-by-side: Jlama cannot quantize a BF16
 * model while loading it, so its Q4 model is written once, by Jlama ({@code SafeTensorSupport.quantizeModel}):
 * <pre>
 *   java -cp drain-bench/target/drain-bench.jar tips.drain.bench.e2e.JlamaQuantize \
 *       --model models/tinyllama-synthetic-bf16 --out models/tinyllama-synthetic-jlama-q4
 * </pre>
 * The token embedding and the output head stay as stored, as Jlama's own quantized models keep them.
 */
public final class JlamaQuantize {
  private JlamaQuantize() {}

  public static void main(String[] args) throws Exception {
    Path model = null;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --model DIR --out DIR");
      }
    }
    if (model == null || out == null) {
      throw new IllegalArgumentException("usage: JlamaQuantize --model DIR --out DIR");
    }
    if (Files.exists(out)) {
      throw new IllegalArgumentException(out + " exists; remove it or choose another --out");
    }
    long start = System.nanoTime();
    Path written = SafeTensorSupport.quantizeModel(withReadme(model), DType.Q4, new String[] {"model.embed_tokens.weight", "lm_head.weight"},
        null, Optional.of(out));
    System.err.printf("Jlama Q4 model written to %s in %.1f s%n", written, (System.nanoTime() - start) / 1e9);
  }

  /** Jlama copies the model's README.md with the rest; a directory without one is seen through links beside an empty one. */
  private static Path withReadme(Path model) throws IOException {
    if (Files.exists(model.resolve("README.md"))) {
      return model;
    }
    Path view = Files.createTempDirectory("jlama-quantize");
    try (Stream<Path> files = Files.list(model)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.createSymbolicLink(view.resolve(f.getFileName()), f.toAbsolutePath());
      }
    }
    Files.writeString(view.resolve("README.md"), "");
    return view;
  }
}
