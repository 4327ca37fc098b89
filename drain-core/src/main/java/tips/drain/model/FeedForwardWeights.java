package tips.drain.model;

import tips.drain.tensor.Matrix;

/**
 * One layer's gated MLP: {@code down(act(gate(x)) * up(x))} with {@code gate, up (ffn, hidden)} and
 * {@code down (hidden, ffn)}; biases null when absent.
 */
public record FeedForwardWeights(Matrix gate, Matrix up, Matrix down, float[] bGate, float[] bUp, float[] bDown) {}
