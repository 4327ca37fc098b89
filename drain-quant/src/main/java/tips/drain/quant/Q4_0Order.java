package tips.drain.quant;

/**
 * Vector 0 of a {@link Q8Activations} in the order the 512-bit Q4_0 decode kernel reads it, made once per
 * product before the rows are split across threads (see {@code tips.drain.quant.panama.PanamaQ4Groups}),
 * per group of four blocks (128 values):
 * <ul>
 *   <li>{@code values}: four vectors of 32 shorts, elements {@code 2t}, {@code 16+2t}, {@code 2t+1} and
 *       {@code 17+2t} of block {@code i / 8} at lane {@code i} ({@code t = i % 8});
 *   <li>{@code offsets}: 32 shorts, {@code 8 ·} the sum of the 16 values behind half-block lane {@code j}:
 *       Q4_0's {@code -8};
 *   <li>{@code scales}: 16 floats, the scale of block {@code m % 4} at lane {@code m}, times 2¹¹².
 * </ul>
 */
public record Q4_0Order(short[] values, short[] offsets, float[] scales) {

  /** Groups of four blocks laid out. */
  public int groups() {
    return scales.length / 16;
  }
}
