package tips.drain.model;

import java.util.List;

/**
 * What every registered model family, decoder ({@link Architecture}) or encoder
 * ({@link tips.drain.model.encoder.EncoderArchitecture}), says about itself: the {@code model_type} of config.json
 * and the {@code architectures} class names it runs. {@link Architectures} keys both kinds by {@code model_type}.
 */
public interface ModelFamily {

  /** The {@code model_type} of config.json, e.g. {@code "llama"} or {@code "bert"}. */
  String modelType();

  /** The {@code architectures} class names this family runs, e.g. {@code LlamaForCausalLM} or {@code BertModel}. */
  List<String> classNames();
}
