package tips.drain.model;

/**
 * What differs between the decoder layers of one model: the attention window, the rotary embedding (Gemma 2/3
 * alternate local and global layers, Qwen2 slides from {@code max_window_layers} on, Gemma 3's local layers use
 * {@code rope_local_base_freq}) and whether the MLP is dense or a mixture of experts (Qwen3-MoE's
 * {@code mlp_only_layers} and {@code decoder_sparse_step}).
 *
 * @param slidingWindow query at position q sees keys at k with {@code 0 <= q - k < slidingWindow}; 0 for full
 *     causal attention
 * @param rope the rotary embedding this layer applies to queries and keys
 * @param mlp dense or sparse
 */
public record LayerConfig(int slidingWindow, RopeConfig rope, Mlp mlp) {

  /** The kind of a layer's MLP. */
  public enum Mlp {
    DENSE,
    SPARSE
  }

  public LayerConfig {
    if (slidingWindow < 0) {
      throw new IllegalArgumentException("sliding window must be 0 (none) or positive, got " + slidingWindow);
    }
  }

  /** A layer with a dense MLP. */
  public LayerConfig(int slidingWindow, RopeConfig rope) {
    this(slidingWindow, rope, Mlp.DENSE);
  }

  /** True when this layer attends only to a window of recent positions. */
  public boolean isSliding() {
    return slidingWindow > 0;
  }

  /** The same layer with an MLP of kind {@code kind}. */
  public LayerConfig withMlp(Mlp kind) {
    return new LayerConfig(slidingWindow, rope, kind);
  }
}
