package tips.drain.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.hub.HubDownloader;
import tips.drain.hub.HubSettings;
import tips.drain.hub.PullResult;
import tips.drain.hub.RepoRef;

/** {@code drain pull}: a model from the Hugging Face hub into the shared hub cache. */
@Command(name = "pull", mixinStandardHelpOptions = true,
    description = {"Download a model from the Hugging Face hub into the huggingface_hub cache"
        + " ($HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub); then --model ORG/NAME runs it offline.",
        "Token: HF_TOKEN or the file `huggingface-cli login` writes. Mirror: HF_ENDPOINT."})
final class PullCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ORG/NAME[@REVISION]", description = "The repository, optionally a branch, tag or commit.")
  String repo;

  @Option(names = "--include", paramLabel = "GLOB",
      description = "Download exactly the files these shell patterns match (repeatable), instead of what the model needs.")
  List<String> includes = new ArrayList<>();

  @Option(names = "--quant", paramLabel = "TYPE", description = "In a repository of GGUF files, the quantization to get (e.g. Q4_K_M).")
  String quant;

  @Override
  public Integer call() {
    RepoRef ref;
    try {
      ref = RepoRef.parse(repo);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    boolean terminal = System.console() != null && System.console().isTerminal();
    long t0 = System.nanoTime();
    PullResult r = new HubDownloader(HubSettings.fromEnvironment())
        .pull(ref, includes, quant, new PullProgress(err, terminal));
    double seconds = (System.nanoTime() - t0) / 1e9;
    err.printf(Locale.ROOT, "pulled %s: %d file(s), %s (%s downloaded in %.1f s)%n", ref, r.files().size(),
        Table.bytes(r.bytes()), Table.bytes(r.downloaded()), seconds);
    err.printf("run it: ./drain chat --model %s%n", ref);
    out.println(r.snapshot());
    return 0;
  }
}
