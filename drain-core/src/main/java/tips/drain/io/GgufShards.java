package tips.drain.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GGUF model in one file, or split by llama.cpp's {@code gguf-split} into {@code NAME-00001-of-0000N.gguf}
 * shards (given any one of them). Every shard is opened and validated up front and checked against its
 * {@code split.no} / {@code split.count}; the metadata is the first shard's; a tensor is in exactly one shard.
 * If anything fails, the shards already open are closed.
 */
public final class GgufShards implements AutoCloseable {
  private static final Pattern SHARD = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");

  private final Path path;
  private final List<GgufFile> files;
  private final Map<String, GgufFile> byTensor;

  private GgufShards(Path path, List<GgufFile> files, Map<String, GgufFile> byTensor) {
    this.path = path;
    this.files = List.copyOf(files);
    this.byTensor = byTensor;
  }

  /** True if {@code path} names a GGUF file (by its extension). */
  public static boolean isGguf(Path path) {
    return path.getFileName() != null && path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf");
  }

  public static GgufShards open(Path path) {
    List<Path> paths = shardPaths(path);
    List<GgufFile> opened = new ArrayList<>();
    Map<String, GgufFile> byTensor = new LinkedHashMap<>();
    try {
      for (int i = 0; i < paths.size(); i++) {
        GgufFile f = GgufFile.open(paths.get(i));
        opened.add(f);
        if (paths.size() > 1) {
          checkSplit(f, i, paths.size());
        }
        for (GgufTensorInfo t : f.tensors()) {
          GgufFile previous = byTensor.put(t.name(), f);
          if (previous != null) {
            throw new FormatException(path + ": tensor '" + t.name() + "' is in both " + previous.path().getFileName()
                + " and " + f.path().getFileName());
          }
        }
      }
      GgufMetadata first = opened.get(0).metadata();
      if (paths.size() > 1 && first.has("split.tensors.count") && first.integer("split.tensors.count") != byTensor.size()) {
        throw new FormatException(paths.get(0) + ": split.tensors.count is " + first.integer("split.tensors.count")
            + " but the " + paths.size() + " shards hold " + byTensor.size() + " tensors");
      }
    } catch (RuntimeException e) {
      opened.forEach(GgufFile::close);
      throw e;
    }
    return new GgufShards(paths.get(0), opened, byTensor);
  }

  private static List<Path> shardPaths(Path path) {
    Matcher m = SHARD.matcher(path.getFileName().toString());
    if (!m.matches()) {
      return List.of(path);
    }
    int count = Integer.parseInt(m.group(3));
    if (count < 1 || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > count) {
      throw new FormatException(path + ": shard number " + m.group(2) + " of " + m.group(3) + " is not a valid split name");
    }
    List<Path> paths = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      Path shard = path.resolveSibling(String.format("%s-%05d-of-%s.gguf", m.group(1), i, m.group(3)));
      if (!Files.isRegularFile(shard)) {
        throw new FormatException(path + ": shard " + shard.getFileName() + " of the split model is missing");
      }
      paths.add(shard);
    }
    return paths;
  }

  private static void checkSplit(GgufFile f, int index, int count) {
    GgufMetadata m = f.metadata();
    if (m.has("split.no") && m.integer("split.no") != index) {
      throw new FormatException(f.path() + ": split.no is " + m.integer("split.no") + ", expected " + index + " from the file name");
    }
    if (m.has("split.count") && m.integer("split.count") != count) {
      throw new FormatException(f.path() + ": split.count is " + m.integer("split.count") + ", expected " + count
          + " from the file name");
    }
  }

  /** The first (or only) file. */
  public Path path() {
    return path;
  }

  public List<GgufFile> files() {
    return files;
  }

  /** The first shard's metadata (the model's). */
  public GgufMetadata metadata() {
    return files.get(0).metadata();
  }

  public boolean contains(String name) {
    return byTensor.containsKey(name);
  }

  /** Every tensor, shard by shard in header order. */
  public List<GgufTensorInfo> tensors() {
    List<GgufTensorInfo> all = new ArrayList<>();
    files.forEach(f -> all.addAll(f.tensors()));
    return all;
  }

  public GgufTensorInfo info(String name) {
    return file(name).info(name);
  }

  public java.lang.foreign.MemorySegment segment(String name) {
    return file(name).segment(name);
  }

  private GgufFile file(String name) {
    GgufFile f = byTensor.get(name);
    if (f == null) {
      throw new WeightException(path + ": missing tensor '" + name + "'");
    }
    return f;
  }

  @Override
  public void close() {
    files.forEach(GgufFile::close);
  }
}
