package tips.drain.model.llama;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tips.drain.io.Weights;
import tips.drain.model.Activation;
import tips.drain.model.Architecture;
import tips.drain.model.AttentionWeights;
import tips.drain.model.FeedForwardWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.LayerWeights;
import tips.drain.model.ModelConfig;
import tips.drain.model.Require;
import tips.drain.model.RopeConfig;
import tips.drain.model.RopeScalings;
import tips.drain.model.TokenIds;
import tips.drain.model.TransformerWeights;
import tips.drain.model.UnsupportedArchitectureException;
import tips.drain.tensor.Matrix;

/**
 * Llama ({@code LlamaForCausalLM}, transformers' {@code modeling_llama.py}): RMSNorm, rotate-half RoPE,
 * grouped-query attention, SwiGLU MLP, optionally tied output head and biases.
 */
public final class LlamaArchitecture implements Architecture {

  @Override
  public String modelType() {
    return "llama";
  }

  @Override
  public List<String> classNames() {
    return List.of("LlamaForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    int hidden = Require.positive(c.hiddenSize(), "hidden_size", file);
    int heads = Require.positive(c.numAttentionHeads(), "num_attention_heads", file);
    int kvHeads = Require.positiveOr(c.numKeyValueHeads(), heads, "num_key_value_heads", file);
    Require.check(heads % kvHeads == 0, file,
        "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
    Integer headDimField = c.headDim();
    if (headDimField == null) {
      Require.check(hidden % heads == 0, file, "hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
    }
    int headDim = Require.positiveOr(headDimField, hidden / heads, "head_dim", file);
    Require.check(headDim % 2 == 0, file, "head_dim " + headDim + " must be even for rotary embeddings");
    if (c.pretrainingTp() != null && c.pretrainingTp() != 1) {
      throw new UnsupportedArchitectureException(file + ": pretraining_tp " + c.pretrainingTp() + " is not supported (only 1)");
    }
    String act = c.hiddenAct() == null ? "silu" : c.hiddenAct();
    Activation activation = Activation.fromHf(act, file.toString());
    if (activation != Activation.SILU) {
      throw new UnsupportedArchitectureException(file + ": llama with hidden_act '" + act + "' is not supported (only silu)");
    }
    double theta = Require.positiveOr(c.ropeTheta(), 10000.0, "rope_theta", file);
    int vocab = Require.positive(c.vocabSize(), "vocab_size", file);
    int context = Require.positiveOr(c.maxPositionEmbeddings(), 2048, "max_position_embeddings", file);
    double eps = Require.positiveOr(c.rmsNormEps(), 1e-6, "rms_norm_eps", file);
    int bos = c.bosTokenId() != null && c.bosTokenId().isIntegralNumber() ? c.bosTokenId().asInt() : -1;
    int[] eos = TokenIds.parse(c.eosTokenId(), file + ": eos_token_id");
    return new ModelConfig("llama", "LlamaForCausalLM", hidden,
        Require.positive(c.intermediateSize(), "intermediate_size", file),
        Require.positive(c.numHiddenLayers(), "num_hidden_layers", file),
        heads, kvHeads, headDim, vocab, context, (float) eps,
        new RopeConfig(theta, headDim, RopeScalings.parse(c.ropeScaling(), file)),
        Boolean.TRUE.equals(c.tieWordEmbeddings()),
        Boolean.TRUE.equals(c.attentionBias()),
        Boolean.TRUE.equals(c.mlpBias()),
        activation, 0, bos, eos);
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    int hidden = c.hiddenSize();
    Weights model = w.scope("model");
    Matrix embedding = model.matrix("embed_tokens.weight", c.vocabSize(), hidden);
    List<LayerWeights> layers = new ArrayList<>(c.numLayers());
    for (int i = 0; i < c.numLayers(); i++) {
      Weights layer = model.scope("layers." + i);
      Weights attn = layer.scope("self_attn");
      Weights mlp = layer.scope("mlp");
      boolean ab = c.attentionBias();
      boolean mb = c.mlpBias();
      AttentionWeights attention = new AttentionWeights(
          attn.matrix("q_proj.weight", c.queryDim(), hidden),
          attn.matrix("k_proj.weight", c.kvDim(), hidden),
          attn.matrix("v_proj.weight", c.kvDim(), hidden),
          attn.matrix("o_proj.weight", hidden, c.queryDim()),
          ab ? attn.vector("q_proj.bias", c.queryDim()) : null,
          ab ? attn.vector("k_proj.bias", c.kvDim()) : null,
          ab ? attn.vector("v_proj.bias", c.kvDim()) : null,
          ab ? attn.vector("o_proj.bias", hidden) : null);
      FeedForwardWeights ffn = new FeedForwardWeights(
          mlp.matrix("gate_proj.weight", c.intermediateSize(), hidden),
          mlp.matrix("up_proj.weight", c.intermediateSize(), hidden),
          mlp.matrix("down_proj.weight", hidden, c.intermediateSize()),
          mb ? mlp.vector("gate_proj.bias", c.intermediateSize()) : null,
          mb ? mlp.vector("up_proj.bias", c.intermediateSize()) : null,
          mb ? mlp.vector("down_proj.bias", hidden) : null);
      layers.add(new LayerWeights(layer.vector("input_layernorm.weight", hidden), attention,
          layer.vector("post_attention_layernorm.weight", hidden), ffn));
    }
    float[] norm = model.vector("norm.weight", hidden);
    Matrix lmHead = c.tieWordEmbeddings() ? embedding : w.matrix("lm_head.weight", c.vocabSize(), hidden);
    return new TransformerWeights(embedding, layers, norm, lmHead);
  }
}
