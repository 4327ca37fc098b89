package tips.drain.model.encoder;

/**
 * One post-LayerNorm encoder block (BERT's {@code BertLayer}):
 * <pre>
 *   x = attentionNorm(x + attentionOutput(selfAttention(query(x), key(x), value(x))))
 *   x = outputNorm(x + output(act(intermediate(x))))
 * </pre>
 */
public record EncoderLayerWeights(Linear query, Linear key, Linear value, Linear attentionOutput,
    LayerNormWeights attentionNorm, Linear intermediate, Linear output, LayerNormWeights outputNorm) {}
