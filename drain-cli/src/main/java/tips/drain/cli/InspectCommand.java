package tips.drain.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.api.LanguageModel;
import tips.drain.io.ModelFiles;
import tips.drain.io.TensorInfo;
import tips.drain.io.Weights;
import tips.drain.lora.LoraAdapter;
import tips.drain.model.ModelConfig;
import tips.drain.model.PositionEncoding;

/** {@code drain inspect}: what a model directory holds, as tables. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show a model's architecture, tensors, dtypes, parameter count and size on disk.")
final class InspectCommand implements Callable<Integer> {
  private static final Pattern LAYER = Pattern.compile("(.*\\.(?:layers|h)\\.)(\\d+)(\\..*)");

  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = model.directory();
    try (LanguageModel m = LanguageModel.load(dir, model.loadOptions().withThreads(1).withTokenizer(false));
         ModelFiles files = ModelFiles.open(dir)) {
      ModelConfig c = m.config();
      long params = 0;
      Map<String, Long> bytesByType = new TreeMap<>();
      for (TensorInfo t : files.tensors()) {
        String format = files.metadata(Weights.FORMAT_KEY + t.name());
        params += format == null ? t.elementCount() : logicalElements(files, t.name());
        bytesByType.merge(format == null ? t.dtype().name() : format, t.byteSize(), Long::sum);
      }
      new Table("property", "value")
          .row("directory", dir.toAbsolutePath().normalize())
          .row("family", c.family() + " (" + c.architecture() + ")")
          .row("layers", c.numLayers())
          .row("hidden / ffn", c.hiddenSize() + " / " + c.intermediateSize())
          .row("heads (q / kv × dim)", c.numHeads() + " / " + c.numKvHeads() + " × " + c.headDim())
          .row("vocabulary", c.vocabSize())
          .row("context", c.contextLength())
          .row("positions", c.positions() == PositionEncoding.ROPE
              ? "rope, theta " + c.rope().theta() + ", " + c.rope().scaling().type() : c.positions().toString().toLowerCase())
          .row("features", m.features().isEmpty() ? "-" : String.join(", ", m.features()))
          .row("adapter", model.adapter == null ? "-" : LoraAdapter.load(model.adapter).describe() + " (" + model.adapterMode + ")")
          .row("eos ids", Arrays.toString(m.eosTokenIds()))
          .row("parameters", Table.count(params))
          .row("weights on disk", Table.bytes(files.dataBytes()) + " in " + files.files().size() + " file(s), " + bytesByType.keySet())
          .row("read per decoded token", Table.bytes(m.decodeBytes()) + (model.quant != null ? " (after --quant " + model.quant + ")" : ""))
          .print(out);
      out.println();
      printTensors(out, files, c.numLayers());
    }
    return 0;
  }

  private static long logicalElements(ModelFiles files, String name) {
    String shape = files.metadata(Weights.SHAPE_KEY + name);
    long n = 1;
    for (String d : shape.split(",")) {
      n *= Long.parseLong(d.trim());
    }
    return n;
  }

  /** Tensors outside the layers, and layer 0's as the pattern of every layer. */
  private static void printTensors(PrintWriter out, ModelFiles files, int layers) {
    Table t = new Table("tensor", "shape", "dtype", "size").right(3);
    for (TensorInfo info : files.tensors()) {
      Matcher m = LAYER.matcher(info.name());
      String name = info.name();
      if (m.matches()) {
        if (!m.group(2).equals("0")) {
          continue;
        }
        name = m.group(1) + "{0.." + (layers - 1) + "}" + m.group(3);
      }
      String format = files.metadata(Weights.FORMAT_KEY + info.name());
      String shape = format == null ? info.shapeString() : "[" + files.metadata(Weights.SHAPE_KEY + info.name()).replace(",", ", ") + "]";
      t.row(name, shape, format == null ? info.dtype() : format, Table.bytes(info.byteSize()) + (m.matches() ? " each" : ""));
    }
    t.print(out);
  }
}
