package tips.drain.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.io.ModelFiles;
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

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: all cores).")
  Integer threads;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    QuantMix format = QuantMix.byName(quant).orElseThrow(() -> new ParameterException(spec.commandLine(),
        "--quant must be one of " + QuantMix.names() + ", not '" + quant + "'"));
    Path source = tips.drain.api.ModelLocator.resolve(model);
    long total;
    try (ModelFiles files = ModelFiles.open(source)) {
      total = files.dataBytes();
    }
    long t0 = System.nanoTime();
    ProgressBar bar = new ProgressBar(err, "quantizing to " + format, total);
    QuantizedModelWriter.Summary s;
    try (Parallel parallel = new Parallel(threads == null ? Runtime.getRuntime().availableProcessors() : threads)) {
      s = QuantizedModelWriter.write(source, out, format, parallel, bar::update);
    }
    bar.finish();
    err.printf(Locale.ROOT, "wrote %s: %d matrices quantized, %d tensors kept as stored, %s -> %s in %.1f s%n", out,
        s.quantized(), s.kept(), Table.bytes(s.bytesIn()), Table.bytes(s.bytesOut()), (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
