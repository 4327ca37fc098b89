package tips.drain.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;

/**
 * A safetensors file, memory-mapped read-only. Tensors are zero-copy slices of the mapping. The header is
 * validated completely when the file is opened ({@link SafetensorsHeader}); closing the file unmaps it, after
 * which its segments must not be used.
 *
 * <p>Layout: an 8-byte little-endian header length {@code N}, {@code N} bytes of JSON, then the data.
 */
public final class SafetensorsFile implements AutoCloseable {
  private final Path path;
  private final Arena arena;
  private final MemorySegment data;
  private final SafetensorsHeader header;

  private SafetensorsFile(Path path, Arena arena, MemorySegment data, SafetensorsHeader header) {
    this.path = path;
    this.arena = arena;
    this.data = data;
    this.header = header;
  }

  /** Opens, validates and maps {@code path}. */
  public static SafetensorsFile open(Path path) {
    String name = path.toString();
    return MappedFile.open(path, (channel, arena) -> {
      long size = channel.size();
      if (size < 8) {
        throw new FormatException(name + ": " + size + " bytes is too short for a safetensors file (no header length)");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0, name);
      long headerLength = lengthBytes.getLong(0);
      if (headerLength < 2 || headerLength > SafetensorsHeader.MAX_HEADER_BYTES) {
        throw new FormatException(name + ": header length " + headerLength + " is invalid (expected 2.."
            + SafetensorsHeader.MAX_HEADER_BYTES + "): not a safetensors file?");
      }
      if (8 + headerLength > size) {
        throw new FormatException(name + ": header length " + headerLength + " exceeds the file size " + size
            + ": the file is truncated");
      }
      ByteBuffer json = ByteBuffer.allocate((int) headerLength);
      readFully(channel, json, 8, name);
      long dataStart = 8 + headerLength;
      long dataSize = size - dataStart;
      SafetensorsHeader header = SafetensorsHeader.parse(name, json.array(), dataSize);
      MemorySegment data = dataSize == 0
          ? MemorySegment.NULL.reinterpret(0)
          : channel.map(FileChannel.MapMode.READ_ONLY, dataStart, dataSize, arena);
      return new SafetensorsFile(path, arena, data, header);
    });
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position, String name) throws IOException {
    long pos = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, pos);
      if (n < 0) {
        throw new FormatException(name + ": unexpected end of file");
      }
      pos += n;
    }
  }

  public Path path() {
    return path;
  }

  public SafetensorsHeader header() {
    return header;
  }

  public Map<String, TensorInfo> tensors() {
    return header.tensors();
  }

  public Map<String, String> metadata() {
    return header.metadata();
  }

  public boolean contains(String name) {
    return header.tensors().containsKey(name);
  }

  /** The entry for {@code name}, or a {@link WeightException} naming the file. */
  public TensorInfo info(String name) {
    TensorInfo t = header.tensors().get(name);
    if (t == null) {
      throw new WeightException(path + ": no tensor named '" + name + "'");
    }
    return t;
  }

  /** A zero-copy view of the tensor's bytes, valid until {@link #close()}. */
  public MemorySegment segment(String name) {
    TensorInfo t = info(name);
    return data.asSlice(t.begin(), t.byteSize());
  }

  /** The tensor converted to a new float array (F32, F16, BF16 or F64): for small tensors such as norms. */
  public float[] toFloatArray(String name) {
    return TensorFloats.toFloatArray(segment(name), info(name), path.toString());
  }

  @Override
  public void close() {
    arena.close();
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
  }
}
