package tips.drain.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tips.drain.tensor.DType;

/**
 * Writes a safetensors file: tensors are added with their bytes (little-endian) and written in the order
 * added, after a header padded with spaces to an 8-byte boundary, as the reference implementation does.
 */
public final class SafetensorsWriter {
  /** Writes a tensor's bytes when the file is written, so that large tensors need not be in memory at once. */
  @FunctionalInterface
  public interface TensorBytes {
    void writeTo(WritableByteChannel channel) throws IOException;
  }

  private record Entry(String name, DType dtype, long[] shape, long byteSize, TensorBytes bytes) {}

  private final List<Entry> entries = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /** Adds a string to {@code __metadata__}. */
  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** Adds a tensor whose little-endian bytes are {@code data} (size must match shape × dtype). */
  public SafetensorsWriter add(String name, DType dtype, long[] shape, MemorySegment data) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n * dtype.bytes() != data.byteSize()) {
      throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for shape "
          + java.util.Arrays.toString(shape) + " of " + dtype);
    }
    entries.add(new Entry(name, dtype, shape.clone(), data.byteSize(), channel -> writeSegment(data, channel)));
    return this;
  }

  /**
   * Adds a tensor of {@code byteSize} bytes produced by {@code bytes} while the file is written (it must write
   * exactly that many).
   */
  public SafetensorsWriter add(String name, DType dtype, long[] shape, long byteSize, TensorBytes bytes) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n * dtype.bytes() != byteSize) {
      throw new IllegalArgumentException(name + ": " + byteSize + " bytes for shape "
          + java.util.Arrays.toString(shape) + " of " + dtype);
    }
    entries.add(new Entry(name, dtype, shape.clone(), byteSize, bytes));
    return this;
  }

  private static void writeSegment(MemorySegment data, WritableByteChannel ch) throws IOException {
    long pos = 0;
    long size = data.byteSize();
    while (pos < size) {
      int chunk = (int) Math.min(1 << 24, size - pos);
      ByteBuffer b = data.asSlice(pos, chunk).asByteBuffer();
      while (b.hasRemaining()) {
        ch.write(b);
      }
      pos += chunk;
    }
  }

  /** Adds an F32 tensor from a float array. */
  public SafetensorsWriter addF32(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return add(name, DType.F32, shape, MemorySegment.ofArray(b.array()));
  }

  /** The header JSON bytes, padded with spaces to a multiple of 8. */
  byte[] headerBytes() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Entry e : entries) {
      ObjectNode t = root.putObject(e.name);
      t.put("dtype", e.dtype.safetensorsName());
      ArrayNode shape = t.putArray("shape");
      for (long d : e.shape) {
        shape.add(d);
      }
      ArrayNode offsets = t.putArray("data_offsets");
      offsets.add(offset);
      offset += e.byteSize;
      offsets.add(offset);
    }
    byte[] raw = root.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (raw.length + 7) / 8 * 8;
    byte[] out = new byte[padded];
    System.arraycopy(raw, 0, out, 0, raw.length);
    for (int i = raw.length; i < padded; i++) {
      out[i] = ' ';
    }
    return out;
  }

  private static final class CountingChannel implements WritableByteChannel {
    private final WritableByteChannel inner;
    long count;

    CountingChannel(WritableByteChannel inner) {
      this.inner = inner;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      int n = inner.write(src);
      count += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return inner.isOpen();
    }

    @Override
    public void close() {}
  }

  /** Writes the file (replacing it). */
  public void write(Path path) {
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(path), 1 << 20);
         WritableByteChannel ch = Channels.newChannel(out)) {
      byte[] header = headerBytes();
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
      ch.write(len);
      ch.write(ByteBuffer.wrap(header));
      for (Entry e : entries) {
        CountingChannel counted = new CountingChannel(ch);
        e.bytes.writeTo(counted);
        if (counted.count != e.byteSize) {
          throw new IllegalStateException(e.name + ": wrote " + counted.count + " bytes, declared " + e.byteSize);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }
}
