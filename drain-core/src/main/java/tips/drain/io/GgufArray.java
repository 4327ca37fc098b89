package tips.drain.io;

import java.util.List;

/** A GGUF metadata array: its element type and its values (as {@link GgufValueType} describes them). */
public record GgufArray(GgufValueType elementType, List<Object> values) {

  public GgufArray {
    values = List.copyOf(values);
  }

  public int size() {
    return values.size();
  }

  @Override
  public String toString() {
    return elementType + "[" + values.size() + "]";
  }
}
