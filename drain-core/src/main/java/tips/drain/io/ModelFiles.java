package tips.drain.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The weights of a model directory: one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json}, or (as a last resort) every {@code *.safetensors} file. All files are
 * opened and validated up front; if any fails, those already open are closed (nothing half-loaded).
 */
public final class ModelFiles implements TensorSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final List<SafetensorsFile> files;
  private final Map<String, SafetensorsFile> byTensor;

  private ModelFiles(Path directory, List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor) {
    this.directory = directory;
    this.files = List.copyOf(files);
    this.byTensor = byTensor;
  }

  /** Opens the safetensors files of {@code directory}. */
  public static ModelFiles open(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new FormatException(directory + (GgufShards.isGguf(directory)
          ? ": a GGUF file; this reads safetensors model directories (GGUF files load through LanguageModel.load)"
          : ": not a model directory"));
    }
    Path single = directory.resolve("model.safetensors");
    Path index = directory.resolve("model.safetensors.index.json");
    List<Path> paths;
    if (Files.isRegularFile(index)) {
      paths = shardsOf(index);
    } else if (Files.isRegularFile(single)) {
      paths = List.of(single);
    } else {
      try (Stream<Path> s = Files.list(directory)) {
        paths = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
      } catch (IOException e) {
        throw new FormatException(directory + ": cannot list the directory: " + e.getMessage(), e);
      }
      if (paths.isEmpty()) {
        throw new FormatException(directory + ": no model.safetensors, model.safetensors.index.json or *.safetensors file");
      }
    }
    List<SafetensorsFile> opened = new ArrayList<>();
    Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    try {
      for (Path p : paths) {
        SafetensorsFile f = SafetensorsFile.open(p);
        opened.add(f);
        for (String name : f.tensors().keySet()) {
          SafetensorsFile previous = byTensor.put(name, f);
          if (previous != null) {
            throw new FormatException(directory + ": tensor '" + name + "' is in both " + previous.path().getFileName()
                + " and " + p.getFileName());
          }
        }
      }
    } catch (RuntimeException e) {
      opened.forEach(SafetensorsFile::close);
      throw e;
    }
    return new ModelFiles(directory, opened, byTensor);
  }

  private static List<Path> shardsOf(Path index) {
    JsonNode root;
    try {
      root = JSON.readTree(index.toFile());
    } catch (IOException e) {
      throw new FormatException(index + ": not valid JSON: " + e.getMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new FormatException(index + ": no weight_map object");
    }
    LinkedHashMap<String, Path> shards = new LinkedHashMap<>();
    for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
      JsonNode v = it.next();
      if (!v.isTextual() || v.asText().contains("/") || v.asText().contains("\\")) {
        throw new FormatException(index + ": weight_map values must be file names in the same directory, got " + v);
      }
      Path shard = index.resolveSibling(v.asText());
      if (!Files.isRegularFile(shard)) {
        throw new FormatException(index + ": shard " + v.asText() + " is missing");
      }
      shards.put(v.asText(), shard);
    }
    if (shards.isEmpty()) {
      throw new FormatException(index + ": weight_map is empty");
    }
    return new ArrayList<>(shards.values());
  }

  public Path directory() {
    return directory;
  }

  @Override
  public Path location() {
    return directory;
  }

  /** DRAIN's quantized tensors: the format and shape its {@code __metadata__} names ({@link Weights#FORMAT_KEY}). */
  @Override
  public BlockLayout blockLayout(String name) {
    String format = metadata(Weights.FORMAT_KEY + name);
    if (format == null) {
      return null;
    }
    String shape = metadata(Weights.SHAPE_KEY + name);
    String[] parts = shape == null ? new String[0] : shape.split(",");
    long[] dims = new long[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        dims[i] = Long.parseLong(parts[i].trim());
      }
    } catch (NumberFormatException e) {
      dims = new long[0];
    }
    if (dims.length != 2 || dims[0] < 1 || dims[1] < 1) {
      throw new FormatException(directory + ": metadata " + Weights.SHAPE_KEY + name + " is '" + shape
          + "', expected the rows,cols of the " + format + " tensor");
    }
    return new BlockLayout(format, dims);
  }

  public List<SafetensorsFile> files() {
    return files;
  }

  @Override
  public boolean contains(String name) {
    return byTensor.containsKey(name);
  }

  /** The entry of tensor {@code name} or a {@link WeightException} naming the directory. */
  @Override
  public TensorInfo info(String name) {
    return file(name).info(name);
  }

  @Override
  public MemorySegment segment(String name) {
    return file(name).segment(name);
  }

  @Override
  public float[] toFloatArray(String name) {
    return file(name).toFloatArray(name);
  }

  /** Every tensor, in file order. */
  @Override
  public List<TensorInfo> tensors() {
    List<TensorInfo> all = new ArrayList<>();
    for (SafetensorsFile f : files) {
      all.addAll(f.tensors().values());
    }
    return all;
  }

  /** Metadata of the first file that has {@code key} in its {@code __metadata__}, or null. */
  public String metadata(String key) {
    for (SafetensorsFile f : files) {
      String v = f.metadata().get(key);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** Total bytes of tensor data. */
  @Override
  public long dataBytes() {
    long n = 0;
    for (TensorInfo t : tensors()) {
      n += t.byteSize();
    }
    return n;
  }

  private SafetensorsFile file(String name) {
    SafetensorsFile f = byTensor.get(name);
    if (f == null) {
      throw new WeightException(directory + ": missing tensor '" + name + "'");
    }
    return f;
  }

  @Override
  public void close() {
    files.forEach(SafetensorsFile::close);
  }
}
