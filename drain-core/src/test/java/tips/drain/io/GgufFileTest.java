package tips.drain.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
  @TempDir Path dir;

  private static GgufBytes valid() {
    return new GgufBytes()
        .string("general.architecture", "llama")
        .u32("llama.block_count", 2)
        .f32("llama.rope.freq_base", 10000f)
        .bool("tokenizer.ggml.add_bos_token", true)
        .strings("tokenizer.ggml.tokens", List.of("a", "b", "ü"))
        .floats("tokenizer.ggml.scores", new float[] {0, -1, -2})
        .everyType("t.")
        .tensor("a.weight", 0, new long[] {3, 2}, GgufBytes.f32Bytes(1, 2, 3, 4, 5, 6))
        .tensor("b.weight", 8, new long[] {32, 1}, new byte[34])
        .tensor("norm", 1, new long[] {5}, new byte[10]);
  }

  private Path write(byte[] bytes) throws IOException {
    Path p = dir.resolve("model.gguf");
    Files.write(p, bytes);
    return p;
  }

  @Test
  void readsMetadataOfEveryTypeAndMapsTensors() throws IOException {
    try (GgufFile f = GgufFile.open(write(valid().build()))) {
      assertEquals(3, f.version());
      GgufMetadata m = f.metadata();
      assertEquals("llama", m.string("general.architecture"));
      assertEquals(2, m.integer("llama.block_count"));
      assertEquals(10000.0, m.number("llama.rope.freq_base"));
      assertTrue(m.bool("tokenizer.ggml.add_bos_token"));
      assertEquals(List.of("a", "b", "ü"), m.strings("tokenizer.ggml.tokens"));
      assertArrayEquals(new float[] {0, -1, -2}, m.floats("tokenizer.ggml.scores"));
      assertEquals(254L, m.values().get("t.0"));
      assertEquals(-2L, m.values().get("t.1"));
      assertEquals(0xFFFEL, m.values().get("t.2"));
      assertEquals(-2L, m.values().get("t.3"));
      assertEquals(-2L, m.values().get("t.11"));
      GgufArray nested = m.array("t.nested");
      assertEquals(GgufValueType.ARRAY, nested.elementType());
      assertEquals(List.of(1L, 7L, 255L), ((GgufArray) nested.values().get(1)).values());
      GgufTensorInfo a = f.info("a.weight");
      assertArrayEquals(new long[] {2, 3}, a.shape());
      assertEquals(GgufType.F32, a.type());
      assertEquals(6f, f.segment("a.weight").getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 5));
      assertEquals(34, f.segment("b.weight").byteSize());
      assertEquals(GgufType.Q8_0, f.info("b.weight").type());
      assertEquals(10, f.segment("norm").byteSize());
      FormatException e = assertThrows(FormatException.class, () -> m.integer("general.architecture"));
      assertTrue(e.getMessage().contains("'general.architecture' is STRING, expected an integer"), e.getMessage());
    }
  }

  @Test
  void everyTruncationIsAOneLineFormatError() throws IOException {
    byte[] bytes = valid().build();
    int end = bytes.length - 32 + 10; // the last tensor ("norm", 10 bytes) ends here; alignment padding follows
    for (int n = 0; n < end; n++) {
      if (n > 0 && n % 7 != 0 && n < end - 40) {
        continue; // every 7th length, and every one of the last bytes
      }
      Path p = write(Arrays.copyOf(bytes, n));
      int length = n;
      FormatException e = assertThrows(FormatException.class, () -> GgufFile.open(p).close(), "length " + length);
      assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }

  @Test
  void badMagicAndVersions() throws IOException {
    byte[] bytes = valid().build();
    bytes[0] = 'X';
    assertError(bytes, "not a GGUF file");
    assertError(valid().version(1).build(), "GGUF version 1 is not supported");
    byte[] bigEndian = valid().build();
    ByteBuffer.wrap(bigEndian).order(ByteOrder.BIG_ENDIAN).putInt(4, 3);
    assertError(bigEndian, "big-endian");
  }

  @Test
  void lyingCountsAndLengths() throws IOException {
    assertError(patch(valid().build(), 8, Long.MAX_VALUE / 2), "the tensor count is");
    assertError(patch(valid().build(), 16, 1L << 40), "the metadata count is");
    // the first key's length
    assertError(patch(valid().build(), 24, 1L << 40), "the length of metadata key 0 is");
    byte[] hugeArray = new GgufBytes().floats("x", new float[] {1}).build();
    assertError(patch(hugeArray, 24 + 8 + 1 + 4 + 4, 1L << 50), "metadata 'x' (array length) is");
  }

  @Test
  void offsetsMustBeAlignedInBoundsAndApart() throws IOException {
    assertError(new GgufBytes().tensorAt("a", 0, new long[] {4}, GgufBytes.f32Bytes(1, 2, 3, 4), 4).build(),
        "tensor 'a' has data offset 4, not a multiple of the alignment 32");
    byte[] overlap = new GgufBytes()
        .tensor("a", 0, new long[] {16}, new byte[64])
        .tensorAt("b", 0, new long[] {4}, new byte[16], 32)
        .build();
    assertError(overlap, "tensors 'a' [0, 64) and 'b' [32, 48) overlap");
    assertError(new GgufBytes().tensorAt("a", 0, new long[] {1024}, new byte[0], 0).build(), "extends past the end of the file");
    assertError(new GgufBytes().alignment(64).tensorAt("a", 0, new long[] {4}, new byte[16], 32).build(),
        "not a multiple of the alignment 64");
    assertError(new GgufBytes().alignment(48).build(), "'general.alignment' is 48, expected a power of two");
  }

  @Test
  void typesDimensionsAndNames() throws IOException {
    assertError(new GgufBytes().tensor("a", 4, new long[] {32}, new byte[18]).build(), "tensor 'a' has ggml type 4, which DRAIN does not know");
    assertError(new GgufBytes().tensor("a", 0, new long[] {1, 1, 1, 1, 1}, new byte[4]).build(), "5 dimensions, expected 1 to 4");
    assertError(new GgufBytes().tensor("a", 8, new long[] {16}, new byte[34]).build(), "not a multiple of its block of 32");
    assertError(new GgufBytes().tensor("a", 0, new long[] {1}, new byte[4]).tensor("a", 0, new long[] {1}, new byte[4]).build(),
        "tensor 'a' appears twice");
    assertError(new GgufBytes().u32("k", 1).u32("k", 2).build(), "metadata key 'k' appears twice");
    byte[] badType = new GgufBytes().u32("k", 1).build();
    assertError(patch32(badType, 24 + 8 + 1, 13), "metadata 'k' has value type 13");
    byte[] badBool = new GgufBytes().bool("flag", true).build();
    badBool[24 + 8 + 4 + 4] = 2;
    assertError(badBool, "is a BOOL of value 2");
  }

  @Test
  void missingFileIsAFormatError() {
    FormatException e = assertThrows(FormatException.class, () -> GgufFile.open(dir.resolve("none.gguf")));
    assertTrue(e.getMessage().endsWith("none.gguf: no such file"), e.getMessage());
  }

  private void assertError(byte[] bytes, String expected) throws IOException {
    Path p = write(bytes);
    FormatException e = assertThrows(FormatException.class, () -> GgufFile.open(p).close());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  private static byte[] patch(byte[] bytes, int at, long value) {
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
    return bytes;
  }

  private static byte[] patch32(byte[] bytes, int at, int value) {
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    return bytes;
  }
}
