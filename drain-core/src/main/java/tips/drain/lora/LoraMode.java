package tips.drain.lora;

/** How a LoRA adapter is applied to its base model. */
public enum LoraMode {
  /** Merged into the weights at load ({@code W + scale·B·A}, in the base dtype, before any quantization): fastest decode. */
  MERGED,
  /** Applied at run time ({@code W·x + scale·B·(A·x)}): base weights untouched, shareable between adapters. */
  RUNTIME
}
