package tips.drain.model.encoder;

import tips.drain.tensor.Matrix;

/** A dense layer ({@code nn.Linear}): {@code weight (out, in)} and its {@code bias (out)}. */
public record Linear(Matrix weight, float[] bias) {}
