package tips.drain.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import tips.drain.DrainException;
import tips.drain.embedding.Pooling;
import tips.drain.embedding.SentenceTransformersConfig;
import tips.drain.io.ModelFiles;
import tips.drain.io.Weights;
import tips.drain.kernel.KernelProvider;
import tips.drain.kernel.Kernels;
import tips.drain.model.Architectures;
import tips.drain.model.ConfigReader;
import tips.drain.model.encoder.Encoder;
import tips.drain.model.encoder.EncoderArchitecture;
import tips.drain.model.encoder.EncoderConfig;
import tips.drain.model.encoder.EncoderState;
import tips.drain.tokenizer.Tokenizer;
import tips.drain.tokenizer.Truncation;
import tips.drain.util.Parallel;

/**
 * A loaded embedding model: an encoder (BERT family) with its tokenizer, and the pooling and normalisation its
 * sentence-transformers files declare. Turns texts into vectors, several at a time in one pass over the encoder
 * (their tokens are one batch: no padding, no attention across texts). Thread-safe; calls run one at a time on the
 * model's own compute threads.
 *
 * <pre>{@code
 * try (EmbeddingModel model = EmbeddingModel.load(Path.of("models/all-MiniLM-L6-v2"))) {
 *   float[] v = model.embed("The weather is lovely today.");
 *   List<float[]> vs = model.embedAll(List.of("It's so sunny outside!", "He drove to the stadium."));
 * }
 * }</pre>
 */
public final class EmbeddingModel implements AutoCloseable {
  private final Path directory;
  private final ModelFiles files;
  private final Encoder encoder;
  private final Tokenizer tokenizer;
  private final SentenceTransformersConfig st;
  private final EmbeddingOptions options;
  private final int maxSeqLength;
  private final String maxSeqLengthSource;
  private final Parallel parallel;
  private final EncoderState state;

  private EmbeddingModel(Path directory, ModelFiles files, Encoder encoder, Tokenizer tokenizer,
      SentenceTransformersConfig st, EmbeddingOptions options, int maxSeqLength, String maxSeqLengthSource,
      Parallel parallel) {
    this.directory = directory;
    this.files = files;
    this.encoder = encoder;
    this.tokenizer = tokenizer;
    this.st = st;
    this.options = options;
    this.maxSeqLength = maxSeqLength;
    this.maxSeqLengthSource = maxSeqLengthSource;
    this.parallel = parallel;
    this.state = new EncoderState(encoder.config());
  }

  /** Loads a model directory with {@link EmbeddingOptions#defaults()}. */
  public static EmbeddingModel load(Path directory) {
    return load(directory, EmbeddingOptions.defaults());
  }

  /**
   * Loads a sentence-transformers or Hugging Face encoder directory: {@code modules.json} and the module configs
   * when present, {@code config.json}, the safetensors weights and {@code tokenizer.json}. Everything is validated
   * before this returns; on failure nothing stays open.
   *
   * @throws DrainException (a subclass naming the file, field or tensor) when anything is missing, malformed or not
   *     an encoder this version runs
   */
  public static EmbeddingModel load(Path directory, EmbeddingOptions options) {
    if (!Files.isDirectory(directory)) {
      throw new DrainException(directory + ": not a directory");
    }
    SentenceTransformersConfig st = SentenceTransformersConfig.load(directory);
    Path dir = st.transformerDir();
    Path configFile = dir.resolve("config.json");
    EncoderArchitecture architecture = Architectures.encoder(ConfigReader.readConfig(dir), configFile);
    EncoderConfig config = architecture.resolve(configFile);
    Tokenizer tokenizer = Tokenizer.load(dir);
    int maxSeq = config.maxTokens();
    String source = configFile + " (max_position_embeddings)";
    if (options.maxSeqLength() > 0) {
      maxSeq = Math.min(maxSeq, options.maxSeqLength());
      source = "the options (maxSeqLength)";
    } else if (st.maxSeqLength() > 0) {
      maxSeq = Math.min(maxSeq, st.maxSeqLength());
      source = st.maxSeqLengthFile() + " (max_seq_length)";
    }
    if (maxSeq <= tokenizer.specialTokenCount()) {
      throw new DrainException(source + ": a limit of " + maxSeq + " tokens leaves no room for text after "
          + tokenizer.specialTokenCount() + " special tokens");
    }
    Kernels kernels = KernelProvider.kernels();
    ModelFiles files = ModelFiles.open(dir);
    Parallel parallel = null;
    try {
      Encoder encoder = new Encoder(config, architecture.loadWeights(new Weights(files, kernels), config), kernels);
      parallel = new Parallel(options.threads());
      return new EmbeddingModel(directory, files, encoder, tokenizer, st, options, maxSeq, source, parallel);
    } catch (RuntimeException e) {
      if (parallel != null) {
        parallel.close();
      }
      files.close();
      throw e;
    }
  }

  /** The vector of {@code text}. */
  public float[] embed(String text) {
    return embedBatch(List.of(text)).vectors().get(0);
  }

  /** The vectors of {@code texts}, in their order, computed together. */
  public List<float[]> embedAll(List<String> texts) {
    return embedBatch(texts).vectors();
  }

  /** The vectors of {@code texts} and their token counts. */
  public EmbeddingBatch embedBatch(List<String> texts) {
    return embedBatch(texts, done -> {});
  }

  /**
   * The vectors of {@code texts} and their token counts; {@code progress} hears how many texts are done after each
   * pass over the encoder.
   *
   * @throws TextTooLongException when a text is over {@link #maxSeqLength()} and the options do not truncate
   */
  public EmbeddingBatch embedBatch(List<String> texts, IntConsumer progress) {
    int n = texts.size();
    int[][] ids = new int[n][];
    for (int i = 0; i < n; i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("text " + i + " is null");
      }
      String text = st.lowercase() ? texts.get(i).toLowerCase(Locale.ROOT) : texts.get(i);
      ids[i] = fit(tokenizer.encode(text, false), i, n, true);
    }
    return run(ids, progress);
  }

  /**
   * The vectors of texts given as token ids (as an API's token input): each wrapped in the special tokens the
   * tokenizer adds ({@code [CLS] ... [SEP]}) when {@code addSpecialTokens}, else taken as it is.
   *
   * @throws TextTooLongException when a text is over {@link #maxSeqLength()} and the options do not truncate
   * @throws IllegalArgumentException naming a text with an id outside the vocabulary
   */
  public EmbeddingBatch embedTokenIds(List<int[]> texts, boolean addSpecialTokens) {
    int n = texts.size();
    int[][] ids = new int[n][];
    for (int i = 0; i < n; i++) {
      for (int id : texts.get(i)) {
        if (id < 0 || id >= encoder.config().vocabSize()) {
          throw new IllegalArgumentException("text " + i + ": token id " + id + " is outside the vocabulary [0, "
              + encoder.config().vocabSize() + ")");
        }
      }
      ids[i] = fit(texts.get(i), i, n, addSpecialTokens);
      if (ids[i].length == 0) {
        throw new IllegalArgumentException("text " + i + " has no tokens");
      }
    }
    return run(ids, done -> {});
  }

  private EmbeddingBatch run(int[][] ids, IntConsumer progress) {
    int n = ids.length;
    float[][] vectors = new float[n][];
    int[] counts = new int[n];
    synchronized (this) {
      int first = 0;
      while (first < n) {
        int last = first;
        int tokens = ids[first].length;
        while (last + 1 < n && tokens + ids[last + 1].length <= options.batchTokens()) {
          tokens += ids[++last].length;
        }
        encode(ids, first, last + 1, tokens, vectors, counts);
        first = last + 1;
        progress.accept(first);
      }
    }
    return new EmbeddingBatch(List.of(vectors), counts);
  }

  /** Runs texts {@code [from, to)} (together {@code total} tokens) through the encoder and pools them. */
  private void encode(int[][] ids, int from, int to, int total, float[][] vectors, int[] counts) {
    int[] tokens = new int[total];
    int[] starts = new int[to - from + 1];
    for (int i = from; i < to; i++) {
      int s = starts[i - from];
      System.arraycopy(ids[i], 0, tokens, s, ids[i].length);
      starts[i - from + 1] = s + ids[i].length;
    }
    float[] states = encoder.forward(tokens, starts, state, parallel);
    int hidden = encoder.config().hiddenSize();
    for (int i = from; i < to; i++) {
      float[] v = new float[dimension()];
      int off = 0;
      for (Pooling p : st.pooling()) {
        p.pool(states, starts[i - from], ids[i].length, hidden, v, off);
        off += hidden;
      }
      if (st.normalize()) {
        Pooling.normalize(v);
      }
      vectors[i] = v;
      counts[i] = ids[i].length;
    }
  }

  /** The ids a text of {@code pieces} runs as: cut or refused past the limit, with the special tokens if asked. */
  private int[] fit(int[] pieces, int index, int count, boolean addSpecialTokens) {
    int special = addSpecialTokens ? tokenizer.specialTokenCount() : 0;
    int room = maxSeqLength - special;
    if (pieces.length > room) {
      if (options.overLength() == OverLength.FAIL) {
        int tokens = pieces.length + special;
        throw new TextTooLongException((count > 1 ? "text " + index + " of " + count : "the text") + " is " + tokens
            + " tokens, more than the " + maxSeqLength + " of " + maxSeqLengthSource
            + "; shorten it or ask for truncation (OverLength.TRUNCATE, --truncate)", index, tokens, maxSeqLength);
      }
      pieces = Truncation.cut(pieces, room, Truncation.Side.RIGHT);
    }
    return addSpecialTokens ? tokenizer.withSpecialTokens(pieces) : pieces;
  }

  /** Tokens {@code text} has, special tokens included, before any truncation. */
  public int countTokens(String text) {
    return tokenizer.encode(st.lowercase() ? text.toLowerCase(Locale.ROOT) : text, false).length
        + tokenizer.specialTokenCount();
  }

  /** Floats per vector. */
  public int dimension() {
    return encoder.config().hiddenSize() * st.pooling().size();
  }

  /** Tokens per text at most, special tokens included. */
  public int maxSeqLength() {
    return maxSeqLength;
  }

  /** Whether vectors have length 1 (a Normalize module), so that a dot product is their cosine. */
  public boolean normalizes() {
    return st.normalize();
  }

  /** The pooling modes, in concatenation order. */
  public List<Pooling> pooling() {
    return st.pooling();
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public EncoderConfig config() {
    return encoder.config();
  }

  public Path directory() {
    return directory;
  }

  public EmbeddingOptions options() {
    return options;
  }

  /** Compute threads. */
  public int threads() {
    return parallel.threads();
  }

  /** The kernels in use, e.g. {@code panama-512} or {@code scalar}. */
  public String kernelsName() {
    return encoder.kernels().name();
  }

  @Override
  public void close() {
    parallel.close();
    files.close();
  }
}
