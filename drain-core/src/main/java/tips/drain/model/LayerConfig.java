package tips.drain.model;

/**
 * What differs between the decoder layers of one model: the attention window and the rotary embedding
 * (Gemma 2/3 alternate local and global layers, Qwen2 slides from {@code max_window_layers} on, Gemma 3's
 * local layers use {@code rope_local_base_freq}).
 *
 * @param slidingWindow query at position q sees keys at k with {@code 0 <= q - k < slidingWindow}; 0 for full
 *     causal attention
 * @param rope the rotary embedding this layer applies to queries and keys
 */
public record LayerConfig(int slidingWindow, RopeConfig rope) {

  public LayerConfig {
    if (slidingWindow < 0) {
      throw new IllegalArgumentException("sliding window must be 0 (none) or positive, got " + slidingWindow);
    }
  }

  /** True when this layer attends only to a window of recent positions. */
  public boolean isSliding() {
    return slidingWindow > 0;
  }
}
