package tips.drain.model;

/**
 * The outputs of a fused {@code query_key_value} projection in the grouped layout of
 * {@link AttentionWeights.QkvLayout#FUSED_GROUPED} (Falcon, BLOOM), split into queries, keys and values: per KV
 * head {@code j}, its {@code groupSize} query heads, then its key, then its value.
 */
final class FusedQkv {
  private FusedQkv() {}

  /**
   * For each of {@code count} tokens, row {@code b} of {@code fused} ({@code (groupSize + 2) · kvHeads · headDim}
   * floats) into {@code q[b]} ({@code groupSize · kvHeads · headDim}), {@code k[b]} and {@code v[b]}
   * ({@code kvHeads · headDim}).
   */
  static void split(float[] fused, int count, int kvHeads, int groupSize, int headDim, float[] q, float[] k, float[] v) {
    int groupWidth = (groupSize + 2) * headDim;
    int qDim = kvHeads * groupSize * headDim;
    int kvDim = kvHeads * headDim;
    for (int b = 0; b < count; b++) {
      int row = b * kvHeads * groupWidth;
      for (int j = 0; j < kvHeads; j++) {
        int g = row + j * groupWidth;
        System.arraycopy(fused, g, q, b * qDim + j * groupSize * headDim, groupSize * headDim);
        System.arraycopy(fused, g + groupSize * headDim, k, b * kvDim + j * headDim, headDim);
        System.arraycopy(fused, g + (groupSize + 1) * headDim, v, b * kvDim + j * headDim, headDim);
      }
    }
  }
}
