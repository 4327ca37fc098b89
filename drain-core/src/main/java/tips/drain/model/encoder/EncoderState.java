package tips.drain.model.encoder;

/**
 * Scratch of {@link Encoder#forward} for up to {@link #capacity()} tokens, grown when a batch needs more. One per
 * caller at a time; row {@code t} of a buffer belongs to the {@code t}-th token of the batch (all texts' tokens
 * one after another).
 */
public final class EncoderState {
  private final int hidden;
  private final int ffn;
  private int capacity;
  /** (tokens, hidden): the hidden states. */
  float[] x;
  /** (tokens, hidden): queries, keys, values; later the output of a block before its residual add. */
  float[] q;
  float[] k;
  float[] v;
  /** (tokens, hidden): the attention output, heads side by side. */
  float[] context;
  /** (tokens, ffn): the feed-forward block's inner activations. */
  float[] inner;

  public EncoderState(EncoderConfig config) {
    this.hidden = config.hiddenSize();
    this.ffn = config.intermediateSize();
  }

  /** Tokens the buffers hold now. */
  public int capacity() {
    return capacity;
  }

  /** Grows the buffers to hold {@code tokens} tokens. */
  void ensure(int tokens) {
    if (tokens <= capacity) {
      return;
    }
    capacity = Math.max(tokens, capacity + capacity / 2);
    x = new float[capacity * hidden];
    q = new float[capacity * hidden];
    k = new float[capacity * hidden];
    v = new float[capacity * hidden];
    context = new float[capacity * hidden];
    inner = new float[capacity * ffn];
  }
}
