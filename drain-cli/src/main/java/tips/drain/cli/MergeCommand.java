package tips.drain.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.api.ModelLocator;
import tips.drain.io.AtomicDirectory;
import tips.drain.lora.LoraMerge;

/** {@code drain merge}: a base model with a LoRA adapter merged in, written in Hugging Face layout. */
@Command(name = "merge", mixinStandardHelpOptions = true,
    description = "Merge a PEFT LoRA adapter into its base model and write the result in Hugging Face layout.")
final class MergeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "BASE", description = "Base model directory or name.")
  String model;

  @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "The adapter directory.")
  Path adapter;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    long t0 = System.nanoTime();
    Path base = ModelLocator.resolve(model);
    try (AtomicDirectory out = output.open(base)) {
      LoraMerge.write(base, adapter, out.path());
      out.commit();
    }
    spec.commandLine().getErr().printf(Locale.ROOT, "wrote %s in %.1f s%n", output.out, (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
