package tips.drain.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.DrainException;
import tips.drain.api.ModelLocator;
import tips.drain.io.AtomicDirectory;
import tips.drain.io.ModelFiles;
import tips.drain.io.TensorInfo;
import tips.drain.io.Weights;
import tips.drain.quant.QuantMix;
import tips.drain.quant.QuantizedModelWriter;
import tips.drain.util.Parallel;

/** {@code drain quantize}: writes a quantized copy of a model that loads and memory-maps directly. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
    description = "Write a quantized copy of a model directory (weights as ggml blocks, config and tokenizer copied).")
final class QuantizeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "Model directory or name.")
  String model;

  @Option(names = "--quant", required = true, paramLabel = "FORMAT",
      description = "q8_0, q4_0, q4_1, q5_0, q5_1 (one format for the layers), or llama.cpp's mixes q4_k_m, q5_k_m, q6_k.")
  String quant;

  @Mixin OutputOptions output;

  @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: all cores).")
  Integer threads;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    QuantMix format = QuantMix.byName(quant).orElseThrow(() -> new ParameterException(spec.commandLine(),
        "--quant must be one of " + QuantMix.names() + ", not '" + quant + "'"));
    int threadCount = Threads.resolve(spec, threads);
    Path source = ModelLocator.resolve(model);
    long total;
    try (ModelFiles files = ModelFiles.open(source)) {
      refuseQuantized(source, files);
      total = files.dataBytes();
    }
    long t0 = System.nanoTime();
    QuantizedModelWriter.Summary s;
    try (AtomicDirectory out = output.open(source)) {
      ProgressBar bar = new ProgressBar(err, "quantizing to " + format, total);
      try (Parallel parallel = new Parallel(threadCount)) {
        s = QuantizedModelWriter.write(source, out.path(), format, parallel, bar::update);
      }
      out.commit();
      bar.finish();
    }
    err.printf(Locale.ROOT, "wrote %s: %d matrices quantized, %d tensors kept as stored, %s -> %s in %.1f s%n",
        output.out, s.quantized(), s.kept(), Table.bytes(s.bytesIn()), Table.bytes(s.bytesOut()),
        (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  /** A model whose matrices are already blocks cannot be quantized again (its floats are gone). */
  static void refuseQuantized(Path source, ModelFiles files) {
    String whole = files.metadata(QuantizedModelWriter.QUANTIZATION_KEY);
    for (TensorInfo t : files.tensors()) {
      String stored = files.metadata(Weights.FORMAT_KEY + t.name());
      if (whole != null || stored != null) {
        throw new DrainException(source + ": already quantized (" + (whole != null ? whole : t.name() + " is " + stored)
            + "); quantize the original F32/F16/BF16 model instead");
      }
    }
  }
}
