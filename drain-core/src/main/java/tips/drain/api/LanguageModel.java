package tips.drain.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tips.drain.DrainException;
import tips.drain.engine.Engine;
import tips.drain.io.GgufShards;
import tips.drain.io.ModelFiles;
import tips.drain.io.TensorSource;
import tips.drain.io.Weights;
import tips.drain.kernel.KernelProvider;
import tips.drain.kernel.Kernels;
import tips.drain.lora.Adapters;
import tips.drain.lora.LoraAdapter;
import tips.drain.model.Architecture;
import tips.drain.model.Architectures;
import tips.drain.model.ConfigReader;
import tips.drain.model.GenerationConfig;
import tips.drain.model.HfConfig;
import tips.drain.model.ModelConfig;
import tips.drain.model.Transformer;
import tips.drain.model.TransformerWeights;
import tips.drain.model.gguf.GgufModel;
import tips.drain.tokenizer.Tokenizer;
import tips.drain.util.Parallel;

/**
 * A loaded model: config, memory-mapped weights, tokenizer, compute threads and the {@link Engine} that runs
 * every session on them. Immutable and shared: open any number of {@link Session}s on it (from any threads: those
 * generating at the same time share each forward step), each running the model's weights or a LoRA
 * {@link Adapter} over them ({@link #loadAdapter}). Closing the model unmaps its files and
 * stops its threads; sessions must not be used after that.
 *
 * <pre>{@code
 * try (LanguageModel model = LanguageModel.load(Path.of("models/stories260K"));
 *      Session session = model.newSession()) {
 *   GenerationResult r = session.generate("Once upon a time", GenerationOptions.defaults().withMaxTokens(50),
 *       (id, text) -> System.out.print(text));
 * }
 * }</pre>
 */
public final class LanguageModel implements AutoCloseable {
  private final Path directory;
  private final Architecture architecture;
  private final TensorSource files;
  private final ModelConfig config;
  private final GenerationConfig generationConfig;
  private final Transformer transformer;
  private final Tokenizer tokenizer;
  private final Parallel parallel;
  private final Engine engine;
  private final long loadNanos;

  private LanguageModel(Path directory, Architecture architecture, TensorSource files, ModelConfig config,
      GenerationConfig generationConfig, Transformer transformer, Tokenizer tokenizer, Parallel parallel, Engine engine,
      long loadNanos) {
    this.directory = directory;
    this.architecture = architecture;
    this.files = files;
    this.config = config;
    this.generationConfig = generationConfig;
    this.transformer = transformer;
    this.tokenizer = tokenizer;
    this.parallel = parallel;
    this.engine = engine;
    this.loadNanos = loadNanos;
  }

  /** Loads a model directory with {@link LoadOptions#defaults()}. */
  public static LanguageModel load(Path directory) {
    return load(directory, LoadOptions.defaults());
  }

  /**
   * Loads a Hugging Face model directory ({@code config.json}, the safetensors weights, {@code tokenizer.json}
   * and {@code generation_config.json} when present) or a GGUF file ({@code model.gguf}, or any shard of a split
   * one: config, weights and tokenizer all from the file). Everything is validated before this returns; on
   * failure nothing stays open.
   *
   * @throws DrainException (a subclass naming the file, field or tensor) when anything is missing or malformed
   */
  public static LanguageModel load(Path path, LoadOptions options) {
    long start = System.nanoTime();
    if (Files.isRegularFile(path) && GgufShards.isGguf(path)) {
      GgufModel gguf = GgufModel.open(path);
      Tokenizer tokenizer;
      try {
        tokenizer = options.loadTokenizer() ? Tokenizer.fromGguf(gguf.metadata(), path) : null;
      } catch (RuntimeException e) {
        gguf.tensors().close();
        throw e;
      }
      return assemble(path, gguf.architecture(), gguf.config(), GenerationConfig.NONE, tokenizer, gguf.tensors(), options,
          start);
    }
    if (!Files.isDirectory(path)) {
      throw new DrainException(path + ": not a model directory or a .gguf file");
    }
    Path configFile = path.resolve("config.json");
    HfConfig raw = ConfigReader.readConfig(path);
    Architecture architecture = Architectures.of(raw, configFile);
    ModelConfig config = architecture.resolve(raw, configFile);
    GenerationConfig generation = ConfigReader.readGenerationConfig(path);
    Tokenizer tokenizer = options.loadTokenizer() ? Tokenizer.load(path) : null;
    return assemble(path, architecture, config, generation, tokenizer, ModelFiles.open(path), options, start);
  }

  /** The weights of {@code files} loaded by {@code architecture}, adapted and quantized as asked; closes files on failure. */
  private static LanguageModel assemble(Path path, Architecture architecture, ModelConfig config,
      GenerationConfig generation, Tokenizer tokenizer, TensorSource files, LoadOptions options, long start) {
    Kernels kernels = KernelProvider.kernels();
    Parallel parallel = null;
    try {
      // the architecture's weights, with a LoRA adapter merged or wrapped when one is given
      TransformerWeights weights = Adapters.load(architecture, config, new Weights(files, kernels), options.adapter(),
          options.adapterMode());
      parallel = new Parallel(options.threads());
      if (options.quantization() != null) {
        weights = Quantization.apply(weights, options.quantization(), parallel);
      }
      Transformer transformer = new Transformer(config, weights, kernels);
      Engine engine = new Engine(config, parallel, options.engine());
      return new LanguageModel(path, architecture, files, config, generation, transformer, tokenizer, parallel, engine,
          System.nanoTime() - start);
    } catch (RuntimeException e) {
      if (parallel != null) {
        parallel.close();
      }
      files.close();
      throw e;
    }
  }

  /**
   * Loads the PEFT LoRA adapter in {@code dir} ({@code adapter_config.json}, {@code adapter_model.safetensors})
   * onto this model, for sessions to run with ({@link SessionOptions#withAdapter}). The model's weights are
   * shared, not copied or reloaded, and stay as they are: sessions without the adapter, or with another, are
   * unaffected. It goes on top of the weights as loaded (quantized, or with an adapter given at load).
   *
   * @throws tips.drain.lora.LoraException naming the file, field or tensor when the adapter cannot be read or does
   *     not fit this model (a module it does not have, another shape, a rank that disagrees with the config)
   */
  public Adapter loadAdapter(Path dir) {
    LoraAdapter lora = LoraAdapter.load(dir);
    TransformerWeights view = Adapters.runtimeView(architecture, config, new Weights(files, transformer.kernels()),
        transformer.weights(), lora);
    return new Adapter(this, lora, new Transformer(config, view, transformer.kernels()));
  }

  /** A new session with {@link SessionOptions#defaults()}. */
  public Session newSession() {
    return newSession(SessionOptions.defaults());
  }

  /**
   * A new session with its own KV cache, running this model's weights or, when {@code options} name one, an
   * {@link Adapter} loaded onto this model.
   *
   * @throws DrainException if the adapter was loaded onto another model
   */
  public Session newSession(SessionOptions options) {
    int context = options.contextLength() > 0
        ? options.contextLength()
        : Math.min(config.contextLength(), SessionOptions.DEFAULT_MAX_CONTEXT);
    Adapter adapter = options.adapter();
    if (adapter != null && adapter.model() != this) {
      throw new DrainException(adapter.directory() + ": this adapter was loaded onto the model in "
          + adapter.model().directory() + ", not onto this one (" + directory + "); load it with this model's loadAdapter");
    }
    return new Session(this, adapter == null ? transformer : adapter.transformer(), adapter, context);
  }

  public Path directory() {
    return directory;
  }

  public ModelConfig config() {
    return config;
  }

  public GenerationConfig generationConfig() {
    return generationConfig;
  }

  /** The tokenizer, unless the model was loaded without one. */
  public Optional<Tokenizer> tokenizer() {
    return Optional.ofNullable(tokenizer);
  }

  /** The tokenizer, or an error saying it was not loaded. */
  Tokenizer requireTokenizer() {
    if (tokenizer == null) {
      throw new DrainException(directory + ": loaded without a tokenizer; pass token ids instead of text");
    }
    return tokenizer;
  }

  /** End-of-sequence ids: generation_config.json's, else config.json's. */
  public int[] eosTokenIds() {
    int[] g = generationConfig.eosTokenIds();
    return g.length > 0 ? g : config.eosTokenIds();
  }

  /** The forward pass over the model's weights as loaded (for tools and benchmarks that drive it directly). */
  public Transformer transformer() {
    return transformer;
  }

  Parallel parallel() {
    return parallel;
  }

  /**
   * The engine every session of this model runs on: its scheduler batches the sessions that generate at the same
   * time into shared forward steps. Its counters tell what runs and what was reused.
   */
  public Engine engine() {
    return engine;
  }

  /** Compute threads. */
  public int threads() {
    return parallel.threads();
  }

  /** Bytes of weights a decode step reads. */
  public long decodeBytes() {
    return transformer.decodeBytes();
  }

  /**
   * What this model does beyond a plain Llama, in words: its configuration's features (windows, experts, norms,
   * positions...) then its weights' (fused projections, sinks...).
   */
  public List<String> features() {
    List<String> f = new ArrayList<>(config.features());
    f.addAll(transformer.weights().features());
    return f;
  }

  /** The storage format of the layers' weight matrices, e.g. {@code BF16} or {@code Q4_0}. */
  public String storedFormat() {
    return transformer.weights().layers().get(0).attention().wq().format();
  }

  /** Wall time of {@link #load}. */
  public long loadNanos() {
    return loadNanos;
  }

  /** The kernels in use, e.g. {@code panama-512} or {@code scalar}. */
  public String kernelsName() {
    return transformer.kernels().name();
  }

  @Override
  public void close() {
    engine.close();
    parallel.close();
    files.close();
  }
}
