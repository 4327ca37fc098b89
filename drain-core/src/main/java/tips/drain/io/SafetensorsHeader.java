package tips.drain.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tips.drain.tensor.DType;

/**
 * The parsed and fully validated JSON header of a safetensors file. Validation happens here, before any
 * tensor is used: JSON syntax, dtype names, shapes, {@code data_offsets} in bounds, matching shape × dtype
 * size, and no two tensors overlapping. Every failure names the file and the tensor.
 */
public final class SafetensorsHeader {
  /** Headers larger than this are refused (the format's reference implementation uses 100 MB). */
  public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.tensors = Collections.unmodifiableMap(tensors);
    this.metadata = Collections.unmodifiableMap(metadata);
  }

  /** Tensors by name, in file order of their data. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /** The {@code __metadata__} string map (empty when absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Parses and validates a header.
   *
   * @param source the file name, for messages
   * @param json the header bytes (UTF-8 JSON)
   * @param dataSize bytes available after the header
   */
  public static SafetensorsHeader parse(String source, byte[] json, long dataSize) {
    JsonNode root;
    try {
      root = JSON.readTree(new String(json, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new FormatException(source + ": header is " + JsonErrors.syntax(e));
    }
    if (root == null || !root.isObject()) {
      throw new FormatException(source + ": header must be a JSON object");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorInfo> list = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        readMetadata(source, e.getValue(), metadata);
      } else {
        list.add(readTensor(source, e.getKey(), e.getValue(), dataSize));
      }
    }
    list.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    TensorInfo previous = null;
    for (TensorInfo t : list) {
      if (previous != null && t.begin() < previous.end() && t.byteSize() > 0) {
        throw new FormatException(source + ": tensors '" + previous.name() + "' [" + previous.begin() + ", "
            + previous.end() + ") and '" + t.name() + "' [" + t.begin() + ", " + t.end() + ") overlap");
      }
      if (t.byteSize() > 0) {
        previous = t;
      }
      tensors.put(t.name(), t);
    }
    return new SafetensorsHeader(tensors, metadata);
  }

  private static void readMetadata(String source, JsonNode node, Map<String, String> out) {
    if (!node.isObject()) {
      throw new FormatException(source + ": __metadata__ must be an object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new FormatException(source + ": __metadata__." + e.getKey() + " must be a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
  }

  private static TensorInfo readTensor(String source, String name, JsonNode node, long dataSize) {
    String where = source + ": tensor '" + name + "'";
    if (!node.isObject()) {
      throw new FormatException(where + " must be an object with dtype, shape and data_offsets");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new FormatException(where + " has no dtype string");
    }
    DType dtype = DType.fromSafetensorsName(dtypeNode.asText())
        .orElseThrow(() -> new FormatException(where + " has unknown dtype '" + dtypeNode.asText() + "'"));
    JsonNode shapeNode = node.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new FormatException(where + " has no shape array");
    }
    long[] shape = new long[shapeNode.size()];
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new FormatException(where + " has an invalid dimension " + d + " in its shape");
      }
      shape[i] = d.asLong();
      try {
        elements = Math.multiplyExact(elements, shape[i]);
      } catch (ArithmeticException overflow) {
        throw new FormatException(where + " has a shape too large: " + shapeNode);
      }
    }
    JsonNode offsets = node.get("data_offsets");
    if (offsets == null || !offsets.isArray() || offsets.size() != 2
        || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
      throw new FormatException(where + " must have data_offsets [begin, end]");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new FormatException(where + " has invalid data_offsets [" + begin + ", " + end + "]");
    }
    if (end > dataSize) {
      throw new FormatException(where + " has data_offsets [" + begin + ", " + end + "] past the end of the data ("
          + dataSize + " bytes): the file is truncated or corrupt");
    }
    long expected;
    try {
      expected = Math.multiplyExact(elements, dtype.bytes());
    } catch (ArithmeticException overflow) {
      throw new FormatException(where + " has a shape too large: " + shapeNode);
    }
    if (end - begin != expected) {
      throw new FormatException(where + ": shape " + shapeNode + " of " + dtype + " needs " + expected
          + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }
}
