package tips.drain.model;

import java.util.ArrayList;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.tensor.Matrix;

/**
 * The weight blocks decoder families share, by their Hugging Face names: the model layout
 * ({@code model.embed_tokens}, {@code model.layers.N}, {@code model.norm}, {@code lm_head}), attention
 * projections with optional biases and query/key norms, and gated MLPs. A family's {@link Architecture}
 * composes its layers from these.
 */
public final class DecoderWeights {
  private DecoderWeights() {}

  /** Loads one decoder layer from its scope ({@code model.layers.N}). */
  @FunctionalInterface
  public interface LayerLoader {
    LayerWeights load(Weights layer, int index);
  }

  /**
   * {@code model.embed_tokens.weight}, every {@code model.layers.N} through {@code layer}, {@code model.norm.weight}
   * and {@code lm_head.weight} (the embedding when tied).
   */
  public static TransformerWeights load(Weights w, ModelConfig c, LayerLoader layer) {
    int hidden = c.hiddenSize();
    Weights model = w.scope("model");
    Matrix embedding = model.matrix("embed_tokens.weight", c.vocabSize(), hidden);
    List<LayerWeights> layers = new ArrayList<>(c.numLayers());
    for (int i = 0; i < c.numLayers(); i++) {
      layers.add(layer.load(model.scope("layers." + i), i));
    }
    Norm norm = Norm.of(model.vector("norm.weight", hidden));
    Matrix lmHead = c.tieWordEmbeddings() ? embedding : w.matrix("lm_head.weight", c.vocabSize(), hidden);
    return new TransformerWeights(embedding, layers, norm, lmHead);
  }

  /**
   * The layout of Falcon and BLOOM: {@code transformer.word_embeddings}, optionally a LayerNorm of the embeddings
   * ({@code embeddingNorm}, e.g. BLOOM's {@code word_embeddings_layernorm}; null for none), {@code transformer.h.N}
   * through {@code layer}, {@code transformer.ln_f} (LayerNorm with bias) and {@code lm_head.weight} (the embedding
   * when tied). The {@code transformer.} prefix is what {@code save_pretrained} writes for a {@code *ForCausalLM};
   * files saved from the bare model (the Hub's BLOOM checkpoints) have none, and both are accepted.
   */
  public static TransformerWeights loadTransformerLayout(Weights w, ModelConfig c, String embeddingNorm, LayerLoader layer) {
    int hidden = c.hiddenSize();
    Weights model = w.has("transformer.word_embeddings.weight") ? w.scope("transformer") : w;
    Matrix embedding = model.matrix("word_embeddings.weight", c.vocabSize(), hidden);
    Norm embedNorm = embeddingNorm == null ? null : layerNorm(model, embeddingNorm, c);
    List<LayerWeights> layers = new ArrayList<>(c.numLayers());
    for (int i = 0; i < c.numLayers(); i++) {
      layers.add(layer.load(model.scope("h." + i), i));
    }
    Norm finalNorm = layerNorm(model, "ln_f", c);
    Matrix lmHead = c.tieWordEmbeddings() ? embedding : w.matrix("lm_head.weight", c.vocabSize(), hidden);
    return new TransformerWeights(embedding, embedNorm, layers, finalNorm, lmHead);
  }

  /** A plain MLP {@code up (ffn, hidden)}, {@code down (hidden, ffn)} by name, with {@code .bias} when asked. */
  public static PlainMlp plainMlp(Weights mlp, ModelConfig c, String up, String down, boolean bias) {
    int hidden = c.hiddenSize();
    int ffn = c.intermediateSize();
    return new PlainMlp(mlp.matrix(up + ".weight", ffn, hidden), mlp.matrix(down + ".weight", hidden, ffn),
        bias ? mlp.vector(up + ".bias", ffn) : null, bias ? mlp.vector(down + ".bias", hidden) : null);
  }

  /**
   * A fused {@code query_key_value} ({@code (queryDim + 2·kvDim, hidden)}, grouped per KV head) and the output
   * projection {@code dense}, with biases when asked (Falcon, BLOOM).
   */
  public static AttentionWeights fusedAttention(Weights attn, ModelConfig c, boolean bias) {
    int hidden = c.hiddenSize();
    int fused = c.queryDim() + 2 * c.kvDim();
    return AttentionWeights.fusedGrouped(attn.matrix("query_key_value.weight", fused, hidden),
        bias ? attn.vector("query_key_value.bias", fused) : null, attn.matrix("dense.weight", hidden, c.queryDim()),
        bias ? attn.vector("dense.bias", hidden) : null);
  }

  /**
   * {@code q_proj}, {@code k_proj}, {@code v_proj}, {@code o_proj} (with {@code .bias} when asked) and, with
   * {@code qkNorm}, {@code q_norm.weight} and {@code k_norm.weight} of {@code headDim}.
   */
  public static AttentionWeights attention(Weights attn, ModelConfig c, boolean qkvBias, boolean outBias, boolean qkNorm) {
    int hidden = c.hiddenSize();
    return new AttentionWeights(
        attn.matrix("q_proj.weight", c.queryDim(), hidden),
        attn.matrix("k_proj.weight", c.kvDim(), hidden),
        attn.matrix("v_proj.weight", c.kvDim(), hidden),
        attn.matrix("o_proj.weight", hidden, c.queryDim()),
        qkvBias ? attn.vector("q_proj.bias", c.queryDim()) : null,
        qkvBias ? attn.vector("k_proj.bias", c.kvDim()) : null,
        qkvBias ? attn.vector("v_proj.bias", c.kvDim()) : null,
        outBias ? attn.vector("o_proj.bias", hidden) : null,
        qkNorm ? attn.vector("q_norm.weight", c.headDim()) : null,
        qkNorm ? attn.vector("k_norm.weight", c.headDim()) : null);
  }

  /** A gated MLP from its three projections ({@code gate}, {@code up} {@code (ffn, hidden)}, {@code down}). */
  public static FeedForwardWeights gatedMlp(Weights mlp, ModelConfig c, String gate, String up, String down, boolean bias) {
    return gatedMlp(mlp, c.intermediateSize(), c, gate, up, down, bias);
  }

  /** A gated MLP of width {@code ffn} (an expert's {@code moe_intermediate_size}). */
  public static FeedForwardWeights gatedMlp(Weights mlp, int ffn, ModelConfig c, String gate, String up, String down,
      boolean bias) {
    int hidden = c.hiddenSize();
    return new FeedForwardWeights(
        mlp.matrix(gate + ".weight", ffn, hidden),
        mlp.matrix(up + ".weight", ffn, hidden),
        mlp.matrix(down + ".weight", hidden, ffn),
        bias ? mlp.vector(gate + ".bias", ffn) : null,
        bias ? mlp.vector(up + ".bias", ffn) : null,
        bias ? mlp.vector(down + ".bias", hidden) : null);
  }

  /**
   * A sparse MLP: router {@code router.weight (experts, hidden)} and experts {@code experts.E} each a gated MLP of
   * {@code expertIntermediateSize} with projections {@code gate}, {@code up}, {@code down} (Mixtral: w1, w3, w2).
   */
  public static MixtureOfExperts sparseMlp(Weights moe, ModelConfig c, String router, String gate, String up, String down) {
    List<FeedForwardWeights> experts = new ArrayList<>(c.numExperts());
    for (int e = 0; e < c.numExperts(); e++) {
      experts.add(gatedMlp(moe.scope("experts." + e), c.expertIntermediateSize(), c, gate, up, down, false));
    }
    return new MixtureOfExperts(moe.matrix(router + ".weight", c.numExperts(), c.hiddenSize()), experts,
        c.numExpertsPerToken());
  }

  /** Llama's MLP: {@code gate_proj}, {@code up_proj}, {@code down_proj}. */
  public static FeedForwardWeights llamaMlp(Weights mlp, ModelConfig c, boolean bias) {
    return gatedMlp(mlp, c, "gate_proj", "up_proj", "down_proj", bias);
  }

  /** A norm weight of {@code hidden_size} ({@code name.weight}). */
  public static Norm norm(Weights layer, String name, ModelConfig c) {
    return Norm.of(layer.vector(name + ".weight", c.hiddenSize()));
  }

  /** A LayerNorm of {@code hidden_size} with its bias ({@code name.weight}, {@code name.bias}). */
  public static Norm layerNorm(Weights layer, String name, ModelConfig c) {
    return new Norm(layer.vector(name + ".weight", c.hiddenSize()), layer.vector(name + ".bias", c.hiddenSize()));
  }

  /** The Llama layer: {@code input_layernorm}, {@code self_attn}, {@code post_attention_layernorm}, {@code mlp}. */
  public static LayerWeights llamaLayer(Weights layer, ModelConfig c, AttentionWeights attention, FeedForward mlp) {
    return new LayerWeights(norm(layer, "input_layernorm", c), attention, norm(layer, "post_attention_layernorm", c), mlp);
  }
}
