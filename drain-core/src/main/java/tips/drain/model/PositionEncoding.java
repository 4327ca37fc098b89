package tips.drain.model;

/** How attention learns where tokens are. */
public enum PositionEncoding {
  /** Rotary embeddings of queries and keys (see {@link Rope}), per layer as {@link LayerConfig} says. */
  ROPE,
  /** BLOOM's ALiBi: no rotation; each head's scores get a penalty linear in the distance (see {@link Alibi}). */
  ALIBI,
  /** None beyond the causal mask ("NoPE"): neither rotation nor score bias. */
  NONE
}
