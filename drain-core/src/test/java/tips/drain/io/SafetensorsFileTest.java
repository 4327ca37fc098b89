package tips.drain.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.tensor.DType;
import tips.drain.tensor.Floats;

class SafetensorsFileTest {
  @TempDir Path dir;

  @Test
  void roundTripsEveryFloatType() {
    float[] values = {1f, -2.5f, 3.25f, 0f, 0.125f, -7f};
    short[] bf16 = new short[values.length];
    short[] f16 = new short[values.length];
    for (int i = 0; i < values.length; i++) {
      bf16[i] = Floats.floatToBf16(values[i]);
      f16[i] = Floats.floatToF16(values[i]);
    }
    Path file = dir.resolve("model.safetensors");
    new SafetensorsWriter()
        .metadata("format", "pt")
        .addF32("a.weight", new long[] {2, 3}, values)
        .add("b.weight", DType.BF16, new long[] {6}, MemorySegment.ofArray(leShorts(bf16)))
        .add("c.weight", DType.F16, new long[] {3, 2}, MemorySegment.ofArray(leShorts(f16)))
        .write(file);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertEquals("pt", f.metadata().get("format"));
      assertEquals(3, f.tensors().size());
      TensorInfo a = f.info("a.weight");
      assertEquals(DType.F32, a.dtype());
      assertArrayEquals(new long[] {2, 3}, a.shape());
      assertArrayEquals(values, f.toFloatArray("a.weight"));
      assertArrayEquals(values, f.toFloatArray("b.weight")); // all values are exact in bf16
      assertArrayEquals(values, f.toFloatArray("c.weight"), 1e-3f);
      assertEquals(-2.5f, f.segment("a.weight").get(ValueLayout.JAVA_FLOAT_UNALIGNED, 4));
    }
  }

  @Test
  void missingTensorIsNamed() {
    Path file = dir.resolve("m.safetensors");
    new SafetensorsWriter().addF32("x", new long[] {1}, new float[] {1}).write(file);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      WeightException e = assertThrows(WeightException.class, () -> f.segment("y"));
      assertTrue(e.getMessage().contains("'y'") && e.getMessage().contains("m.safetensors"), e.getMessage());
    }
  }

  @Test
  void rejectsFileShorterThanTheLength() throws IOException {
    assertMalformed(new byte[] {1, 2, 3}, "too short");
  }

  @Test
  void rejectsHugeHeaderLength() throws IOException {
    byte[] b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array();
    assertMalformed(b, "header length");
  }

  @Test
  void rejectsHeaderPastEndOfFile() throws IOException {
    byte[] b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100).array();
    assertMalformed(b, "truncated");
  }

  @Test
  void rejectsInvalidJson() throws IOException {
    assertMalformed(file("{\"a\": ", 0), "not valid JSON");
  }

  @Test
  void rejectsNonObjectHeader() throws IOException {
    assertMalformed(file("[1, 2]", 0), "JSON object");
  }

  @Test
  void rejectsUnknownDtype() throws IOException {
    assertMalformed(file("{\"w\": {\"dtype\": \"F8\", \"shape\": [1], \"data_offsets\": [0, 1]}}", 1), "unknown dtype 'F8'");
  }

  @Test
  void rejectsMissingShape() throws IOException {
    assertMalformed(file("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4), "no shape");
  }

  @Test
  void rejectsNegativeDimension() throws IOException {
    assertMalformed(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4), "invalid dimension");
  }

  @Test
  void rejectsBadOffsets() throws IOException {
    assertMalformed(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}", 4), "invalid data_offsets");
    assertMalformed(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4), "data_offsets [begin, end]");
  }

  @Test
  void rejectsOffsetsPastTheData() throws IOException {
    assertMalformed(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 4), "past the end");
  }

  @Test
  void rejectsSizeNotMatchingShape() throws IOException {
    assertMalformed(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8), "needs 12 bytes");
  }

  @Test
  void rejectsOverlappingTensors() throws IOException {
    assertMalformed(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
        + "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "overlap");
  }

  @Test
  void rejectsShapeOverflow() throws IOException {
    assertMalformed(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 4]}}", 4),
        "too large");
  }

  @Test
  void rejectsNonStringMetadata() throws IOException {
    assertMalformed(file("{\"__metadata__\": {\"a\": 1}}", 0), "__metadata__.a");
  }

  @Test
  void missingFileIsNamed() {
    FormatException e = assertThrows(FormatException.class, () -> SafetensorsFile.open(dir.resolve("none.safetensors")));
    assertTrue(e.getMessage().contains("none.safetensors"), e.getMessage());
  }

  private void assertMalformed(byte[] content, String expected) throws IOException {
    Path file = Files.createTempFile(dir, "bad", ".safetensors");
    Files.write(file, content);
    FormatException e = assertThrows(FormatException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
    assertTrue(e.getMessage().contains(file.toString()), "message should name the file: " + e.getMessage());
  }

  private static byte[] file(String header, int dataBytes) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json);
    return b.array();
  }

  static byte[] leShorts(short[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short v : values) {
      b.putShort(v);
    }
    return b.array();
  }
}
