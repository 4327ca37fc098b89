package tips.drain.api;

import java.nio.file.Path;

/**
 * A model on this machine, as {@code drain list} shows it.
 *
 * @param name what {@code --model} takes to load it
 * @param source where it was found: {@code models/}, a {@code DRAIN_MODEL_PATH} folder or {@code hub cache}
 * @param format {@code safetensors} or {@code gguf}
 * @param quantization the weights' type: a dtype ({@code BF16}), a DRAIN format ({@code q4_0}) or a GGUF one
 *     ({@code Q4_K_M}); {@code ?} when it cannot be read
 * @param bytes the size of its files
 */
public record LocalModel(String name, String source, String format, String quantization, long bytes, Path path) {}
