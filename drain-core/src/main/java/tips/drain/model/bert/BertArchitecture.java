package tips.drain.model.bert;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.ConfigException;
import tips.drain.model.ConfigReader;
import tips.drain.model.UnsupportedArchitectureException;
import tips.drain.model.encoder.EncoderActivation;
import tips.drain.model.encoder.EncoderArchitecture;
import tips.drain.model.encoder.EncoderConfig;
import tips.drain.model.encoder.EncoderLayerWeights;
import tips.drain.model.encoder.EncoderWeights;
import tips.drain.model.encoder.LayerNormWeights;
import tips.drain.model.encoder.Linear;

/**
 * BERT as transformers' {@code BertModel} defines it ({@code modeling_bert.py}): word + absolute position +
 * token-type embeddings and a LayerNorm, then post-LayerNorm blocks of bidirectional attention and a GELU
 * feed-forward, every projection with a bias. all-MiniLM, bge-small/base/large-en-v1.5, e5 and their fine-tunes.
 * Weights are read under the model's own names, or under {@code bert.} as the task heads
 * ({@code BertForMaskedLM}...) store them; the heads themselves are not used.
 */
public final class BertArchitecture implements EncoderArchitecture {

  @Override
  public String modelType() {
    return "bert";
  }

  @Override
  public List<String> classNames() {
    return List.of("BertModel", "BertForMaskedLM", "BertForPreTraining", "BertForSequenceClassification");
  }

  @Override
  public EncoderConfig resolve(Path file) {
    BertConfigJson c = ConfigReader.read(file, BertConfigJson.class);
    String positions = c.positionEmbeddingType() == null ? "absolute" : c.positionEmbeddingType();
    if (!positions.equals("absolute")) {
      throw new UnsupportedArchitectureException(file + ": position_embedding_type '" + positions
          + "' is not supported (only 'absolute')");
    }
    String act = c.hiddenAct() == null ? "gelu" : c.hiddenAct();
    EncoderActivation activation = EncoderActivation.of(act);
    if (activation == null) {
      throw new UnsupportedArchitectureException(file + ": hidden_act '" + act
          + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh)");
    }
    int hidden = positive(file, "hidden_size", c.hiddenSize(), 768);
    int heads = positive(file, "num_attention_heads", c.numAttentionHeads(), 12);
    if (hidden % heads != 0) {
      throw new ConfigException(file + ": hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
    }
    double eps = c.layerNormEps() == null ? 1e-12 : c.layerNormEps();
    if (!(eps > 0)) {
      throw new ConfigException(file + ": layer_norm_eps must be positive, got " + eps);
    }
    int types = c.typeVocabSize() == null ? 2 : c.typeVocabSize();
    if (types < 0) {
      throw new ConfigException(file + ": type_vocab_size must not be negative, got " + types);
    }
    return new EncoderConfig(positive(file, "vocab_size", c.vocabSize(), 30522), hidden,
        positive(file, "num_hidden_layers", c.numHiddenLayers(), 12), heads,
        positive(file, "intermediate_size", c.intermediateSize(), 3072),
        positive(file, "max_position_embeddings", c.maxPositionEmbeddings(), 512), types, (float) eps, activation, 0);
  }

  private static int positive(Path file, String field, Integer value, int fallback) {
    int v = value == null ? fallback : value;
    if (v < 1) {
      throw new ConfigException(file + ": " + field + " must be positive, got " + v);
    }
    return v;
  }

  @Override
  public EncoderWeights loadWeights(Weights w, EncoderConfig c) {
    return load(w.has("embeddings.word_embeddings.weight") || !w.has("bert.embeddings.word_embeddings.weight")
        ? w : w.scope("bert"), c);
  }

  /**
   * The BERT layout under {@code w}: {@code embeddings.*} and {@code encoder.layer.N.*}. RoBERTa-style encoders use
   * the same names.
   */
  public static EncoderWeights load(Weights w, EncoderConfig c) {
    int hidden = c.hiddenSize();
    Weights emb = w.scope("embeddings");
    List<EncoderLayerWeights> layers = new ArrayList<>(c.numLayers());
    for (int i = 0; i < c.numLayers(); i++) {
      Weights layer = w.scope("encoder.layer." + i);
      Weights attention = layer.scope("attention");
      layers.add(new EncoderLayerWeights(
          linear(attention.scope("self.query"), hidden, hidden),
          linear(attention.scope("self.key"), hidden, hidden),
          linear(attention.scope("self.value"), hidden, hidden),
          linear(attention.scope("output.dense"), hidden, hidden),
          layerNorm(attention.scope("output.LayerNorm"), hidden),
          linear(layer.scope("intermediate.dense"), c.intermediateSize(), hidden),
          linear(layer.scope("output.dense"), hidden, c.intermediateSize()),
          layerNorm(layer.scope("output.LayerNorm"), hidden)));
    }
    return new EncoderWeights(
        emb.matrix("word_embeddings.weight", c.vocabSize(), hidden),
        emb.matrix("position_embeddings.weight", c.maxPositions(), hidden),
        c.typeVocabSize() > 0 ? emb.matrix("token_type_embeddings.weight", c.typeVocabSize(), hidden) : null,
        layerNorm(emb.scope("LayerNorm"), hidden), layers);
  }

  private static Linear linear(Weights w, int out, int in) {
    return new Linear(w.matrix("weight", out, in), w.vector("bias", out));
  }

  private static LayerNormWeights layerNorm(Weights w, int n) {
    return new LayerNormWeights(w.vector("weight", n), w.vector("bias", n));
  }
}
