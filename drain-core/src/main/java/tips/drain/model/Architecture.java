package tips.drain.model;

import java.nio.file.Path;
import tips.drain.io.Weights;

/**
 * One decoder family as transformers defines it ({@code model_type}): how its config resolves and where its
 * weights live. Families are registered in {@link Architectures}; the forward pass ({@link Transformer}) is
 * shared and assembled from the blocks the weights describe.
 */
public interface Architecture extends ModelFamily {

  /** Applies defaults and validates; refuses options this implementation cannot run exactly. */
  ModelConfig resolve(HfConfig raw, Path configFile);

  /** Looks up and shape-checks every weight. */
  TransformerWeights loadWeights(Weights weights, ModelConfig config);
}
