package tips.drain.model.gguf;

import java.nio.file.Path;
import tips.drain.io.GgufMetadata;
import tips.drain.io.GgufShards;
import tips.drain.io.WeightException;
import tips.drain.model.Architecture;
import tips.drain.model.Architectures;
import tips.drain.model.ConfigReader;
import tips.drain.model.HfConfig;
import tips.drain.model.ModelConfig;
import tips.drain.model.RopeConfig;
import tips.drain.model.RopeScaling;
import tips.drain.model.UnsupportedArchitectureException;

/**
 * A model in a GGUF file (or its shards), made ready for the family that runs it: the family found from
 * {@code general.architecture}, its config resolved from the metadata exactly as from the config.json it came
 * from ({@link GgufConfig}), and its tensors under Hugging Face names ({@link GgufTensors}). Owns the open
 * files: close {@link #tensors()} to unmap them.
 *
 * @param architecture the DRAIN family
 * @param config the resolved config
 * @param tensors the weights, as a tensor source for {@link tips.drain.io.Weights}
 * @param metadata the metadata (tokenizer, chat template)
 */
public record GgufModel(Architecture architecture, ModelConfig config, GgufTensors tensors, GgufMetadata metadata) {

  /**
   * Opens {@code file} (any shard of a split model).
   *
   * @throws UnsupportedArchitectureException naming {@code general.architecture} when DRAIN does not run it
   */
  public static GgufModel open(Path file) {
    GgufShards shards = GgufShards.open(file);
    try {
      GgufMetadata m = shards.metadata();
      String arch = m.string("general.architecture");
      GgufFamily family = GgufFamily.of(arch).orElseThrow(() -> new UnsupportedArchitectureException(file
          + ": GGUF architecture '" + arch + "' is not supported; supported: " + GgufFamily.supported()));
      HfConfig raw = ConfigReader.fromTree(GgufConfig.toConfigJson(shards, family), file);
      Architecture architecture = Architectures.of(raw, file);
      ModelConfig config = architecture.resolve(raw, file);
      if (shards.contains(GgufTensors.ROPE_FREQS)) {
        config = withFrequencyFactors(config, shards, file);
      }
      GgufTensors tensors = GgufTensors.of(shards, family, config.numHeads(), config.numKvHeads());
      return new GgufModel(architecture, config, tensors, m);
    } catch (RuntimeException e) {
      shards.close();
      throw e;
    }
  }

  private static ModelConfig withFrequencyFactors(ModelConfig config, GgufShards shards, Path file) {
    var info = shards.info(GgufTensors.ROPE_FREQS);
    if (info.type() != tips.drain.io.GgufType.F32 || info.dims().length != 1
        || info.dims()[0] != config.rope().rotaryDim() / 2) {
      throw new WeightException(file + ": tensor '" + GgufTensors.ROPE_FREQS + "' is " + info.type() + " "
          + java.util.Arrays.toString(info.shape()) + ", expected F32 [" + config.rope().rotaryDim() / 2 + "]");
    }
    float[] factors = shards.segment(GgufTensors.ROPE_FREQS).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN));
    if (config.rope().scaling() != RopeScaling.NONE) {
      throw new UnsupportedArchitectureException(file + ": rope_freqs together with rope scaling type '"
          + config.rope().scaling().type() + "' is not supported");
    }
    RopeScaling scaling = RopeScaling.frequencyFactors(factors);
    return config.withRope(r -> new RopeConfig(r.theta(), r.rotaryDim(), scaling));
  }
}
