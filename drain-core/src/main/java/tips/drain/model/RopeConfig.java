package tips.drain.model;

/**
 * Rotary position embedding settings: the base {@code theta}, how many dimensions of each head rotate, and
 * the frequency scaling. The inverse frequencies are computed by {@link Rope}.
 *
 * @param theta {@code rope_theta}
 * @param rotaryDim dimensions of each head that rotate (even, at most head_dim)
 * @param scaling {@code rope_scaling}, {@link RopeScaling#NONE} when absent
 */
public record RopeConfig(double theta, int rotaryDim, RopeScaling scaling) {}
