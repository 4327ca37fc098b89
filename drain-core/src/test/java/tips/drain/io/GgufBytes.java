package tips.drain.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes small GGUF files byte by byte for tests, including malformed ones. */
public final class GgufBytes {
  private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
  private final ByteArrayOutputStream infos = new ByteArrayOutputStream();
  private final List<byte[]> data = new ArrayList<>();
  private int keys;
  private int tensors;
  private int version = 3;
  private int alignment = 32;
  private long dataOffset;

  public GgufBytes version(int v) {
    version = v;
    return this;
  }

  public GgufBytes string(String key, String value) {
    str(kv, key);
    u32(kv, 8);
    str(kv, value);
    keys++;
    return this;
  }

  public GgufBytes u32(String key, long value) {
    str(kv, key);
    u32(kv, 4);
    u32(kv, value);
    keys++;
    return this;
  }

  public GgufBytes f32(String key, float value) {
    str(kv, key);
    u32(kv, 6);
    u32(kv, Float.floatToIntBits(value));
    keys++;
    return this;
  }

  public GgufBytes bool(String key, boolean value) {
    str(kv, key);
    u32(kv, 7);
    kv.write(value ? 1 : 0);
    keys++;
    return this;
  }

  public GgufBytes strings(String key, List<String> values) {
    str(kv, key);
    u32(kv, 9);
    u32(kv, 8);
    u64(kv, values.size());
    values.forEach(v -> str(kv, v));
    keys++;
    return this;
  }

  public GgufBytes floats(String key, float[] values) {
    str(kv, key);
    u32(kv, 9);
    u32(kv, 6);
    u64(kv, values.length);
    for (float v : values) {
      u32(kv, Float.floatToIntBits(v));
    }
    keys++;
    return this;
  }

  public GgufBytes ints(String key, int[] values) {
    str(kv, key);
    u32(kv, 9);
    u32(kv, 5);
    u64(kv, values.length);
    for (int v : values) {
      u32(kv, v);
    }
    keys++;
    return this;
  }

  /** An array of arrays of UINT8, plus every scalar type: for the reader's value decoding. */
  public GgufBytes everyType(String prefix) {
    int[][] scalars = {{0, 1}, {1, 1}, {2, 2}, {3, 2}, {10, 8}, {11, 8}, {12, 8}};
    for (int[] s : scalars) {
      str(kv, prefix + s[0]);
      u32(kv, s[0]);
      for (int i = 0; i < s[1]; i++) {
        kv.write(i == 0 ? 0xFE : 0xFF);
      }
      keys++;
    }
    str(kv, prefix + "nested");
    u32(kv, 9);
    u32(kv, 9);
    u64(kv, 2);
    for (int a = 0; a < 2; a++) {
      u32(kv, 0);
      u64(kv, 3);
      kv.write(a);
      kv.write(7);
      kv.write(255);
    }
    keys++;
    return this;
  }

  public GgufBytes alignment(int a) {
    alignment = a;
    return u32("general.alignment", a);
  }

  /** A tensor of ggml type {@code type}, dims in ggml order, with {@code bytes} of data placed at the next aligned offset. */
  public GgufBytes tensor(String name, int type, long[] dims, byte[] bytes) {
    return tensorAt(name, type, dims, bytes, dataOffset);
  }

  public GgufBytes tensorAt(String name, int type, long[] dims, byte[] bytes, long offset) {
    str(infos, name);
    u32(infos, dims.length);
    for (long d : dims) {
      u64(infos, d);
    }
    u32(infos, type);
    u64(infos, offset);
    tensors++;
    if (offset == dataOffset) {
      data.add(bytes);
      dataOffset += (bytes.length + alignment - 1) / alignment * alignment;
    }
    return this;
  }

  public byte[] build() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
    u32(out, version);
    u64(out, tensors);
    u64(out, keys);
    out.writeBytes(kv.toByteArray());
    out.writeBytes(infos.toByteArray());
    while (out.size() % alignment != 0) {
      out.write(0);
    }
    for (byte[] d : data) {
      out.writeBytes(d);
      while (out.size() % alignment != 0) {
        out.write(0);
      }
    }
    return out.toByteArray();
  }

  public static byte[] f32Bytes(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static void str(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    u64(out, b.length);
    out.writeBytes(b);
  }

  static void u32(ByteArrayOutputStream out, long v) {
    for (int i = 0; i < 4; i++) {
      out.write((int) (v >>> (8 * i)) & 0xFF);
    }
  }

  static void u64(ByteArrayOutputStream out, long v) {
    for (int i = 0; i < 8; i++) {
      out.write((int) (v >>> (8 * i)) & 0xFF);
    }
  }
}
