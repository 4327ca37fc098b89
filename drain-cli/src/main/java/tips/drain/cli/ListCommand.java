package tips.drain.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.api.LocalModel;
import tips.drain.api.LocalModels;

/** {@code drain list}: every model on this machine, as a table. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = "List the local models (models/, DRAIN_MODEL_PATH, the Hugging Face cache) with format, size and quantization.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<LocalModel> models = LocalModels.find();
    if (models.isEmpty()) {
      spec.commandLine().getErr().println("no local models; get one with: ./drain pull ORG/NAME");
      return 0;
    }
    Table t = new Table("model", "format", "weights", "size", "where").right(3);
    for (LocalModel m : models) {
      t.row(m.name(), m.format(), m.quantization(), Table.bytes(m.bytes()), m.source());
    }
    t.print(out);
    return 0;
  }
}
