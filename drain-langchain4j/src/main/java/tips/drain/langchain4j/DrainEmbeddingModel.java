package tips.drain.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tips.drain.DrainException;
import tips.drain.api.EmbeddingBatch;
import tips.drain.api.EmbeddingOptions;
import tips.drain.api.ModelLocator;
import tips.drain.api.OverLength;

/**
 * A LangChain4j {@link EmbeddingModel} running a DRAIN embedding model (BERT family: all-MiniLM, bge, e5) in this
 * JVM, without ONNX Runtime or native code. All segments of an {@code embedAll} are encoded together. A segment over
 * the model's {@code max_seq_length} is refused with {@link InvalidRequestException} naming its token count, unless
 * the builder asks for truncation.
 *
 * <pre>{@code
 * EmbeddingModel model = DrainEmbeddingModel.builder().modelPath(Path.of("models/all-MiniLM-L6-v2")).build();
 * Embedding e = model.embed("The weather is lovely today.").content();
 * }</pre>
 */
public final class DrainEmbeddingModel implements EmbeddingModel, AutoCloseable {
  private final tips.drain.api.EmbeddingModel model;
  private final boolean owned;
  private final String name;

  private DrainEmbeddingModel(tips.drain.api.EmbeddingModel model, boolean owned, String name) {
    this.model = model;
    this.owned = owned;
    this.name = name;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
    List<String> texts = new ArrayList<>(segments.size());
    for (TextSegment s : segments) {
      texts.add(s.text());
    }
    EmbeddingBatch batch;
    try {
      batch = model.embedBatch(texts);
    } catch (DrainException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
    List<Embedding> out = new ArrayList<>(texts.size());
    for (float[] v : batch.vectors()) {
      out.add(Embedding.from(v));
    }
    return Response.from(out, new TokenUsage((int) batch.totalTokens()));
  }

  @Override
  public int dimension() {
    return model.dimension();
  }

  @Override
  public String modelName() {
    return name;
  }

  @Override
  public ModelProvider provider() {
    return ModelProvider.OTHER;
  }

  /** The DRAIN model underneath. */
  public tips.drain.api.EmbeddingModel drainModel() {
    return model;
  }

  /** Closes the model, if the builder loaded it. */
  @Override
  public void close() {
    if (owned) {
      model.close();
    }
  }

  /** Builds a {@link DrainEmbeddingModel} from a model directory, a name, or a loaded DRAIN model. */
  public static final class Builder {
    private Path modelPath;
    private String modelName;
    private tips.drain.api.EmbeddingModel model;
    private Integer threads;
    private boolean truncate;

    private Builder() {}

    public Builder modelPath(Path dir) {
      this.modelPath = dir;
      return this;
    }

    /** A model name found in {@code models/} or {@code DRAIN_MODEL_PATH}; with {@link #modelPath}, the name reported. */
    public Builder modelName(String name) {
      this.modelName = name;
      return this;
    }

    /** A DRAIN model already loaded, shared (not closed by this one). */
    public Builder model(tips.drain.api.EmbeddingModel loaded) {
      this.model = loaded;
      return this;
    }

    public Builder threads(int n) {
      this.threads = n;
      return this;
    }

    /** Cut segments over the model's max_seq_length instead of refusing them (default: refuse). */
    public Builder truncate(boolean truncate) {
      this.truncate = truncate;
      return this;
    }

    public DrainEmbeddingModel build() {
      if (model != null) {
        return new DrainEmbeddingModel(model, false,
            modelName != null ? modelName : model.directory().getFileName().toString());
      }
      if (modelPath == null && modelName == null) {
        throw new IllegalArgumentException("give modelPath(...) or modelName(...) (a name found in models/ or DRAIN_MODEL_PATH)");
      }
      Path dir = modelPath != null ? modelPath : ModelLocator.resolve(modelName);
      EmbeddingOptions options = EmbeddingOptions.defaults().withOverLength(truncate ? OverLength.TRUNCATE : OverLength.FAIL);
      if (threads != null) {
        options = options.withThreads(threads);
      }
      return new DrainEmbeddingModel(tips.drain.api.EmbeddingModel.load(dir, options), true,
          modelName != null ? modelName : dir.getFileName().toString());
    }
  }
}
