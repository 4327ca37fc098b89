package tips.drain.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.DrainException;
import tips.drain.api.LanguageModel;
import tips.drain.io.GgufArray;
import tips.drain.io.GgufMetadata;
import tips.drain.io.GgufShards;
import tips.drain.io.GgufTensorInfo;
import tips.drain.io.ModelFiles;
import tips.drain.io.TensorInfo;
import tips.drain.io.Weights;
import tips.drain.lora.LoraAdapter;
import tips.drain.model.ModelConfig;
import tips.drain.model.PositionEncoding;

/** {@code drain inspect}: what a model directory or GGUF file holds (a GGUF's metadata and tensor types too), as tables. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show a model's architecture, tensors, dtypes, parameter count and size on disk.")
final class InspectCommand implements Callable<Integer> {
  private static final Pattern LAYER = Pattern.compile("(.*\\.(?:layers|h)\\.)(\\d+)(\\..*)");
  private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.(.*)");

  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Path path = model.directory();
    if (GgufShards.isGguf(path)) {
      return inspectGguf(out, path);
    }
    try (LanguageModel m = LanguageModel.load(path, model.loadOptions().withThreads(1).withTokenizer(false));
         ModelFiles files = ModelFiles.open(path)) {
      long params = 0;
      Map<String, Long> bytesByType = new TreeMap<>();
      for (TensorInfo t : files.tensors()) {
        String format = files.metadata(Weights.FORMAT_KEY + t.name());
        params += format == null ? t.elementCount() : logicalElements(files, t.name());
        bytesByType.merge(format == null ? t.dtype().name() : format, t.byteSize(), Long::sum);
      }
      properties(m, path, params, Table.bytes(files.dataBytes()) + " in " + files.files().size() + " file(s), "
          + bytesByType.keySet()).print(out);
      out.println();
      printTensors(out, files, m.config().numLayers());
    }
    return 0;
  }

  /**
   * A GGUF file: the model's properties when DRAIN runs it (else why not), then its metadata and tensors, which are
   * shown for any valid GGUF file.
   */
  private int inspectGguf(PrintWriter out, Path path) {
    try (GgufShards gguf = GgufShards.open(path)) {
      long params = 0;
      Map<String, Long> bytesByType = new TreeMap<>();
      for (GgufTensorInfo t : gguf.tensors()) {
        params += t.elementCount();
        bytesByType.merge(t.type().name(), t.byteSize(), Long::sum);
      }
      long bytes = bytesByType.values().stream().mapToLong(Long::longValue).sum();
      String onDisk = Table.bytes(bytes) + " in " + gguf.files().size() + " GGUF file(s), " + bytesByType.keySet();
      int layers = 0;
      try (LanguageModel m = LanguageModel.load(path, model.loadOptions().withThreads(1).withTokenizer(false))) {
        properties(m, path, params, onDisk).print(out);
        layers = m.config().numLayers();
      } catch (DrainException e) {
        new Table("property", "value")
            .row("file", path.toAbsolutePath().normalize())
            .row("architecture", gguf.metadata().optString("general.architecture").orElse("-"))
            .row("parameters", Table.count(params))
            .row("weights on disk", onDisk)
            .row("runs in DRAIN", "no: " + e.getMessage())
            .print(out);
      }
      out.println();
      printMetadata(out, gguf.metadata());
      out.println();
      printGgufTensors(out, gguf, layers);
    }
    return 0;
  }

  private Table properties(LanguageModel m, Path path, long params, String onDisk) {
    ModelConfig c = m.config();
    return new Table("property", "value")
        .row(GgufShards.isGguf(path) ? "file" : "directory", path.toAbsolutePath().normalize())
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
        .row("weights on disk", onDisk)
        .row("read per decoded token", Table.bytes(m.decodeBytes()) + (model.quant != null ? " (after --quant " + model.quant + ")" : ""));
  }

  /** A GGUF file's metadata: every key with its type and value (arrays by length and first items, long text cut). */
  private static void printMetadata(PrintWriter out, GgufMetadata metadata) {
    Table t = new Table("metadata key", "type", "value");
    for (Map.Entry<String, Object> e : metadata.values().entrySet()) {
      t.row(e.getKey(), metadata.type(e.getKey()).orElseThrow(), describe(e.getValue()));
    }
    t.print(out);
  }

  /** A metadata value on one line: arrays as their length, type and first items; strings quoted, escaped and cut. */
  static String describe(Object value) {
    if (value instanceof GgufArray a) {
      List<String> first = a.values().stream().limit(4).map(InspectCommand::describe).toList();
      return a.size() + " × " + a.elementType() + ": [" + String.join(", ", first) + (a.size() > 4 ? ", ..." : "") + "]";
    }
    if (value instanceof String s) {
      String oneLine = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
      return "\"" + (oneLine.length() > 60 ? oneLine.substring(0, 57) + "..." : oneLine) + "\"";
    }
    return String.valueOf(value);
  }

  /** The tensors of a GGUF file with their ggml types, layer 0 standing for every layer. */
  private static void printGgufTensors(PrintWriter out, GgufShards gguf, int layers) {
    Table t = new Table("tensor", "shape", "type", "size").right(3);
    for (GgufTensorInfo info : gguf.tensors()) {
      Matcher m = GGUF_LAYER.matcher(info.name());
      String name = info.name();
      if (m.matches()) {
        if (!m.group(1).equals("0")) {
          continue;
        }
        name = layers > 0 ? "blk.{0.." + (layers - 1) + "}." + m.group(2) : "blk.{0..}." + m.group(2);
      }
      t.row(name, Arrays.toString(info.shape()), info.type(), Table.bytes(info.byteSize()) + (m.matches() ? " each" : ""));
    }
    t.print(out);
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
