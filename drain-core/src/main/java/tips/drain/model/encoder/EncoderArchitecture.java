package tips.drain.model.encoder;

import java.nio.file.Path;
import tips.drain.io.Weights;
import tips.drain.model.ModelFamily;

/**
 * One encoder family as transformers defines it ({@code model_type}, e.g. {@code bert}): how its config.json
 * resolves and where its weights live. Registered in {@link tips.drain.model.Architectures} beside the decoders;
 * the forward pass ({@link Encoder}) is shared.
 */
public interface EncoderArchitecture extends ModelFamily {

  /** Reads {@code configFile} (config.json), applies the family's defaults and refuses what DRAIN cannot run exactly. */
  EncoderConfig resolve(Path configFile);

  /** Looks up and shape-checks every weight. */
  EncoderWeights loadWeights(Weights weights, EncoderConfig config);
}
