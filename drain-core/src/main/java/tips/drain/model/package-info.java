/**
 * Decoder-only transformers as transformers' {@code modeling_*.py} define them. {@link tips.drain.model.Architectures}
 * registers one small package per family ({@code llama}, {@code mistral}, {@code mixtral}, {@code qwen2},
 * {@code qwen3}, {@code phi3}, {@code gemma2}, {@code gemma3}): each resolves its {@code config.json} into a
 * {@link tips.drain.model.ModelConfig} (defaults of its config class; per-layer window and rotary embedding as
 * {@link tips.drain.model.LayerConfig}) and finds its weights with the shared blocks of
 * {@link tips.drain.model.DecoderWeights}. One forward pass, {@link tips.drain.model.Transformer}, runs them all:
 * what differs is data (norm offset, scales, soft-caps, optional norms and biases, dense or sparse MLP).
 * Options a family cannot run exactly are refused at load naming the file and field.
 */
package tips.drain.model;
