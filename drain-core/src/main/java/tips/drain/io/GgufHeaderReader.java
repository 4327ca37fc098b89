package tips.drain.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates the header of a GGUF file (versions 2 and 3) from its mapped bytes, before anything
 * uses it: magic and version, every count and string length bounded by the bytes left, metadata values of
 * known types (arrays nested at most {@value #MAX_NESTING} deep), {@code general.alignment} a power of two,
 * tensor names unique, at most {@value #MAX_DIMS} dimensions, known ggml types, the first dimension a whole
 * number of blocks, offsets aligned, and every tensor's data inside the file and apart from the others.
 */
final class GgufHeaderReader {
  static final int MAGIC = 0x46554747; // "GGUF" little-endian
  static final int MAX_DIMS = 4;
  static final int MAX_NESTING = 8;
  static final int DEFAULT_ALIGNMENT = 32;
  static final String ALIGNMENT_KEY = "general.alignment";

  /** The parsed header: version, metadata, tensors in file order, alignment and where the data begins. */
  record Header(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, int alignment, long dataStart) {}

  private final String source;
  private final MemorySegment file;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final long size;
  private long pos;

  private GgufHeaderReader(String source, MemorySegment file) {
    this.source = source;
    this.file = file;
    this.size = file.byteSize();
  }

  static Header read(String source, MemorySegment file) {
    return new GgufHeaderReader(source, file).header();
  }

  private Header header() {
    if (size < 4 || file.get(ValueLayout.JAVA_INT_UNALIGNED, 0) != MAGIC) {
      throw error("not a GGUF file (no 'GGUF' magic at the start)");
    }
    pos = 4;
    long version = u32("the version");
    if (version != 2 && version != 3) {
      boolean swapped = Integer.reverseBytes((int) version) == 2 || Integer.reverseBytes((int) version) == 3;
      throw error(swapped ? "a big-endian GGUF file, which DRAIN does not read"
          : "GGUF version " + version + " is not supported (versions 2 and 3 are)");
    }
    long tensorCount = count("the tensor count", 8 + 4 + 4 + 8);
    long keyCount = count("the metadata count", 8 + 4 + 1);
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, GgufValueType> types = new HashMap<>();
    for (long i = 0; i < keyCount; i++) {
      String key = string("metadata key " + i, true);
      GgufValueType type = valueType("metadata '" + key + "'");
      Object value = value(type, "metadata '" + key + "'", 0);
      if (values.put(key, value) != null) {
        throw error("metadata key '" + key + "' appears twice");
      }
      types.put(key, type);
    }
    GgufMetadata metadata = new GgufMetadata(source, values, types);
    int alignment = alignment(metadata);
    List<GgufTensorInfo> tensors = new ArrayList<>();
    Map<String, GgufTensorInfo> byName = new HashMap<>();
    for (long i = 0; i < tensorCount; i++) {
      GgufTensorInfo t = tensorInfo(i, alignment);
      if (byName.put(t.name(), t) != null) {
        throw error("tensor '" + t.name() + "' appears twice");
      }
      tensors.add(t);
    }
    long dataStart = align(pos, alignment);
    checkData(tensors, dataStart);
    return new Header((int) version, metadata, List.copyOf(tensors), alignment, dataStart);
  }

  private int alignment(GgufMetadata metadata) {
    if (!metadata.has(ALIGNMENT_KEY)) {
      return DEFAULT_ALIGNMENT;
    }
    if (metadata.type(ALIGNMENT_KEY).orElseThrow() != GgufValueType.UINT32) {
      throw error("metadata '" + ALIGNMENT_KEY + "' is " + metadata.type(ALIGNMENT_KEY).orElseThrow() + ", expected UINT32");
    }
    long a = (Long) metadata.values().get(ALIGNMENT_KEY);
    if (a <= 0 || Long.bitCount(a) != 1 || a > (1 << 30)) {
      throw error("metadata '" + ALIGNMENT_KEY + "' is " + a + ", expected a power of two");
    }
    return (int) a;
  }

  private GgufTensorInfo tensorInfo(long index, int alignment) {
    String name = string("the name of tensor " + index, true);
    String what = "tensor '" + name + "'";
    long rank = u32("the dimension count of " + what);
    if (rank < 1 || rank > MAX_DIMS) {
      throw error(what + " has " + rank + " dimensions, expected 1 to " + MAX_DIMS);
    }
    long[] dims = new long[(int) rank];
    for (int d = 0; d < rank; d++) {
      dims[d] = i64("dimension " + d + " of " + what);
      if (dims[d] < 0 || dims[d] > size * 256) {
        throw error(what + " has dimension " + d + " of " + Long.toUnsignedString(dims[d]) + ", more than the file could hold");
      }
    }
    long typeId = u32("the type of " + what);
    GgufType type = GgufType.ofId(typeId)
        .orElseThrow(() -> error(what + " has ggml type " + typeId + ", which DRAIN does not know"));
    long offset = i64("the data offset of " + what);
    if (rank > 0 && dims[0] % type.blockSize() != 0) {
      throw error(what + " of type " + type + " has " + dims[0] + " values per row, not a multiple of its block of "
          + type.blockSize());
    }
    if (offset < 0 || offset % alignment != 0) {
      throw error(what + " has data offset " + Long.toUnsignedString(offset) + ", not a multiple of the alignment " + alignment);
    }
    GgufTensorInfo t = new GgufTensorInfo(name, type, dims, offset);
    try {
      t.byteSize();
    } catch (ArithmeticException e) {
      throw error(what + " has dimensions " + java.util.Arrays.toString(dims) + " whose size overflows");
    }
    return t;
  }

  private void checkData(List<GgufTensorInfo> tensors, long dataStart) {
    long dataSize = size - Math.min(dataStart, size);
    if (!tensors.isEmpty() && dataStart > size) {
      throw error("the data section starts at byte " + dataStart + ", past the end of the file (" + size + " bytes): truncated");
    }
    List<GgufTensorInfo> sorted = new ArrayList<>(tensors);
    sorted.sort(Comparator.comparingLong(GgufTensorInfo::offset));
    GgufTensorInfo previous = null;
    for (GgufTensorInfo t : sorted) {
      long bytes = t.byteSize();
      if (t.offset() > dataSize || bytes > dataSize - t.offset()) {
        throw error("tensor '" + t.name() + "' (" + t.type() + " " + java.util.Arrays.toString(t.shape()) + ", " + bytes
            + " bytes at data offset " + t.offset() + ") extends past the end of the file: truncated");
      }
      if (previous != null && t.offset() < previous.offset() + previous.byteSize() && bytes > 0) {
        throw error("tensors '" + previous.name() + "' [" + previous.offset() + ", " + (previous.offset() + previous.byteSize())
            + ") and '" + t.name() + "' [" + t.offset() + ", " + (t.offset() + bytes) + ") overlap");
      }
      if (bytes > 0) {
        previous = t;
      }
    }
  }

  private Object value(GgufValueType type, String what, int depth) {
    return switch (type) {
      case UINT8 -> (long) (byte1(what) & 0xFF);
      case INT8 -> (long) byte1(what);
      case UINT16 -> (long) (short2(what) & 0xFFFF);
      case INT16 -> (long) short2(what);
      case UINT32 -> u32(what);
      case INT32 -> (long) i32(what);
      case UINT64, INT64 -> i64(what);
      case FLOAT32 -> Float.intBitsToFloat(i32(what));
      case FLOAT64 -> Double.longBitsToDouble(i64(what));
      case BOOL -> {
        byte b = byte1(what);
        if (b != 0 && b != 1) {
          throw error(what + " is a BOOL of value " + b + ", expected 0 or 1");
        }
        yield b == 1;
      }
      case STRING -> string(what, false);
      case ARRAY -> array(what, depth);
    };
  }

  private GgufArray array(String what, int depth) {
    if (depth >= MAX_NESTING) {
      throw error(what + " nests arrays more than " + MAX_NESTING + " deep");
    }
    GgufValueType element = valueType(what + " (array element type)");
    long n = count(what + " (array length)", element.minBytes());
    List<Object> values = new ArrayList<>((int) Math.min(n, 1 << 16));
    for (long i = 0; i < n; i++) {
      values.add(value(element, what + "[" + i + "]", depth + 1));
    }
    return new GgufArray(element, values);
  }

  private GgufValueType valueType(String what) {
    long id = u32("the type of " + what);
    return GgufValueType.ofId(id).orElseThrow(() -> error(what + " has value type " + id + ", which GGUF does not define"));
  }

  /** A 64-bit count of items of at least {@code minItemBytes} each, bounded by the bytes left. */
  private long count(String what, int minItemBytes) {
    long n = i64(what);
    long left = size - pos;
    if (n < 0 || n > left / Math.max(1, minItemBytes)) {
      throw error(what + " is " + Long.toUnsignedString(n) + ", more than the " + left + " bytes left can hold");
    }
    return n;
  }

  private String string(String what, boolean strict) {
    long n = i64("the length of " + what);
    if (n < 0 || n > size - pos) {
      throw error("the length of " + what + " is " + Long.toUnsignedString(n) + ", more than the " + (size - pos)
          + " bytes left: truncated or corrupt");
    }
    byte[] bytes = new byte[(int) Math.min(n, Integer.MAX_VALUE - 8)];
    if (bytes.length != n) {
      throw error(what + " is " + n + " bytes long, too long for a string");
    }
    MemorySegment.copy(file, ValueLayout.JAVA_BYTE, pos, bytes, 0, bytes.length);
    pos += n;
    try {
      return utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      if (strict) {
        throw error(what + " is not valid UTF-8");
      }
      // a token piece of some vocabularies is not valid UTF-8 on its own: read it as Java does
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private void need(int n, String what) {
    if (size - pos < n) {
      throw error("unexpected end of file reading " + what + " at byte " + pos + ": truncated");
    }
  }

  private byte byte1(String what) {
    need(1, what);
    return file.get(ValueLayout.JAVA_BYTE, pos++);
  }

  private short short2(String what) {
    need(2, what);
    short v = file.get(ValueLayout.JAVA_SHORT_UNALIGNED, pos);
    pos += 2;
    return v;
  }

  private int i32(String what) {
    need(4, what);
    int v = file.get(ValueLayout.JAVA_INT_UNALIGNED, pos);
    pos += 4;
    return v;
  }

  private long u32(String what) {
    return i32(what) & 0xFFFF_FFFFL;
  }

  private long i64(String what) {
    need(8, what);
    long v = file.get(ValueLayout.JAVA_LONG_UNALIGNED, pos);
    pos += 8;
    return v;
  }

  private static long align(long offset, int alignment) {
    return (offset + alignment - 1) / alignment * alignment;
  }

  private FormatException error(String message) {
    return new FormatException(source + ": " + message);
  }
}
