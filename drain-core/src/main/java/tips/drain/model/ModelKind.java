package tips.drain.model;

/** The two kinds of model DRAIN runs: text generators and text encoders (embedding models). */
public enum ModelKind {
  /** A causal decoder: generates text ({@code tips.drain.api.LanguageModel}). */
  DECODER,
  /** A bidirectional encoder: turns text into vectors ({@code tips.drain.api.EmbeddingModel}). */
  ENCODER
}
