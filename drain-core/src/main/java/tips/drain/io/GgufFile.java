package tips.drain.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (llama.cpp's format, versions 2 and 3), memory-mapped read-only. The header is validated
 * completely when the file is opened ({@link GgufHeaderReader}); tensors are zero-copy slices of the mapping.
 * Closing the file unmaps it, after which its segments must not be used.
 *
 * <p>Layout: magic {@code GGUF}, version, tensor count, metadata count, the metadata key-value pairs, the
 * tensor infos (name, dimensions, ggml type, data offset), padding to {@code general.alignment}, the data.
 */
public final class GgufFile implements AutoCloseable {
  private final Path path;
  private final Arena arena;
  private final MemorySegment data;
  private final int version;
  private final GgufMetadata metadata;
  private final Map<String, GgufTensorInfo> tensors;
  private final int alignment;

  private GgufFile(Path path, Arena arena, MemorySegment data, GgufHeaderReader.Header header) {
    this.path = path;
    this.arena = arena;
    this.data = data;
    this.version = header.version();
    this.metadata = header.metadata();
    Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
    header.tensors().forEach(t -> byName.put(t.name(), t));
    this.tensors = java.util.Collections.unmodifiableMap(byName);
    this.alignment = header.alignment();
  }

  /** Opens, maps and validates {@code path}. */
  public static GgufFile open(Path path) {
    return MappedFile.open(path, (channel, arena) -> {
      long size = channel.size();
      MemorySegment file = size == 0 ? MemorySegment.NULL.reinterpret(0)
          : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      GgufHeaderReader.Header header = GgufHeaderReader.read(path.toString(), file);
      MemorySegment data = file.asSlice(Math.min(header.dataStart(), size));
      return new GgufFile(path, arena, data, header);
    });
  }

  public Path path() {
    return path;
  }

  /** The format version (2 or 3). */
  public int version() {
    return version;
  }

  public GgufMetadata metadata() {
    return metadata;
  }

  /** {@code general.alignment} (32 when absent). */
  public int alignment() {
    return alignment;
  }

  /** The tensors in header order. */
  public List<GgufTensorInfo> tensors() {
    return List.copyOf(tensors.values());
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** The info of {@code name}, or a {@link WeightException} naming the file. */
  public GgufTensorInfo info(String name) {
    GgufTensorInfo t = tensors.get(name);
    if (t == null) {
      throw new WeightException(path + ": no tensor named '" + name + "'");
    }
    return t;
  }

  /** A zero-copy view of the tensor's bytes, valid until {@link #close()}. */
  public MemorySegment segment(String name) {
    GgufTensorInfo t = info(name);
    return data.asSlice(t.offset(), t.byteSize());
  }

  @Override
  public void close() {
    arena.close();
  }

  @Override
  public String toString() {
    return "GgufFile[" + path + ", v" + version + ", " + tensors.size() + " tensors, " + metadata.values().size() + " keys]";
  }
}
