package tips.drain.model;

/** How a model normalizes: Llama's RMSNorm or the LayerNorm of Falcon and BLOOM. */
public enum NormKind {
  /** {@code x / rms(x) * (offset + w)}, eps {@code rms_norm_eps}. */
  RMS_NORM,
  /** {@code torch.nn.LayerNorm}: {@code (x - mean) / sqrt(var + eps) * w + b}, eps {@code layer_norm_epsilon}. */
  LAYER_NORM
}
