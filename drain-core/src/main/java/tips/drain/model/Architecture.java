package tips.drain.model;

import java.nio.file.Path;
import java.util.List;
import tips.drain.io.Weights;

/**
 * One model family as transformers defines it ({@code model_type}): how its config resolves and where its
 * weights live. Families are registered in {@link Architectures}; the forward pass ({@link Transformer}) is
 * shared and assembled from the blocks the weights describe.
 */
public interface Architecture {

  /** The {@code model_type} of config.json, e.g. {@code "llama"}. */
  String modelType();

  /** The {@code architectures} class names this family runs, e.g. {@code LlamaForCausalLM}. */
  List<String> classNames();

  /** Applies defaults and validates; refuses options this implementation cannot run exactly. */
  ModelConfig resolve(HfConfig raw, Path configFile);

  /** Looks up and shape-checks every weight. */
  TransformerWeights loadWeights(Weights weights, ModelConfig config);
}
