package tips.drain.model.gptoss;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tips.drain.io.WeightException;
import tips.drain.io.Weights;
import tips.drain.model.Activation;
import tips.drain.model.Architecture;
import tips.drain.model.AttentionWeights;
import tips.drain.model.ConfigFields;
import tips.drain.model.DecoderWeights;
import tips.drain.model.FeedForwardWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.MixtureOfExperts;
import tips.drain.model.ModelConfig;
import tips.drain.model.Require;
import tips.drain.model.TransformerWeights;
import tips.drain.model.UnsupportedArchitectureException;
import tips.drain.model.gemma2.Gemma2Architecture;
import tips.drain.tensor.DenseMatrix;
import tips.drain.tensor.Matrix;
import tips.drain.tensor.MatrixFormat;

/**
 * GPT-OSS ({@code GptOssForCausalLM}, transformers' {@code modeling_gpt_oss.py}):
 * <ul>
 *   <li>attention with biases on q/k/v/o, {@code head_dim} (default 64), GQA, and <em>sinks</em>: a learned logit per
 *       query head ({@code self_attn.sinks}) that joins each softmax and is dropped after it;</li>
 *   <li>{@code layer_types} alternating sliding-window ({@code sliding_window}, default 128) and full attention
 *       (default: even layers slide); YaRN rotary scaling as {@code rope_scaling} gives it;</li>
 *   <li>every MLP a mixture of experts: router {@code mlp.router} with bias, softmax over the top-k logits (the same
 *       as the renormalized top-k probabilities), experts stacked in {@code mlp.experts.gate_up_proj [E, H, 2F]}
 *       (gate = even columns, up = odd columns) and {@code down_proj [E, F, H]} with biases, and the clamped
 *       SwiGLU {@code (clamp(up, ±7) + 1) · g · σ(1.702 g)}, {@code g = min(gate, 7)}.</li>
 * </ul>
 * Experts stored in a float type ({@code [in, out]}) are transposed once at load into F32 matrices
 * {@code [out, in]} (in memory, not mapped). The published checkpoints' MXFP4 experts ({@code *_blocks},
 * {@code *_scales}) are repacked once into MXFP4 matrices of drain-quant's format table, read 4.25 bits per weight.
 */
public final class GptOssArchitecture implements Architecture {
  static final ConfigFields.Defaults DEFAULTS = new ConfigFields.Defaults(64, 131072, 1e-5, 150000.0, false);

  @Override
  public String modelType() {
    return "gpt_oss";
  }

  @Override
  public List<String> classNames() {
    return List.of("GptOssForCausalLM");
  }

  @Override
  public ModelConfig resolve(HfConfig c, Path file) {
    if (c.swigluLimit() != null && c.swigluLimit() != Activation.SWIGLU_LIMIT) {
      throw new UnsupportedArchitectureException(file + ": swiglu_limit " + c.swigluLimit()
          + " is not supported (transformers uses " + Activation.SWIGLU_LIMIT + ")");
    }
    int experts = Require.positiveOr(c.numLocalExperts(), 128, "num_local_experts", file);
    int perToken = Require.positiveOr(c.numExpertsPerTok(), 4, "num_experts_per_tok", file);
    Require.check(perToken <= experts, file, "num_experts_per_tok " + perToken + " is more than num_local_experts " + experts);
    ModelConfig.Builder b = ConfigFields.common(c, file, "gpt_oss", "GptOssForCausalLM", DEFAULTS, "hidden_act", c.hiddenAct())
        .activation(Activation.CLAMPED_SWIGLU)
        .attentionBias(c.attentionBias() == null || c.attentionBias())
        .experts(experts, perToken);
    int window = ConfigFields.slidingWindow(c.slidingWindow(), 128, file);
    boolean[] sliding = ConfigFields.slidingLayers(c.layerTypes(), b.numLayers(), l -> (l + 1) % 2 != 0, file);
    Require.check(window > 0 || !Gemma2Architecture.anyTrue(sliding), file,
        "layer_types has sliding_attention layers but sliding_window is null");
    return b.slidingWindow(window).layers(ConfigFields.layers(sliding, window, b.rope(), b.rope())).build();
  }

  @Override
  public TransformerWeights loadWeights(Weights w, ModelConfig c) {
    return DecoderWeights.load(w, c, (layer, i) -> {
      boolean bias = c.attentionBias();
      AttentionWeights attention = DecoderWeights.attention(layer.scope("self_attn"), c, bias, bias, false)
          .withSinks(layer.vector("self_attn.sinks", c.numHeads()));
      Weights mlp = layer.scope("mlp");
      Weights experts = mlp.scope("experts");
      List<FeedForwardWeights> list = experts.has("gate_up_proj_blocks") ? mxfp4Experts(experts, c) : experts(experts, c);
      MixtureOfExperts moe = new MixtureOfExperts(mlp.matrix("router.weight", c.numExperts(), c.hiddenSize()),
          mlp.vector("router.bias", c.numExperts()), list, c.numExpertsPerToken());
      return DecoderWeights.llamaLayer(layer, c, attention, moe);
    });
  }

  /** The stacked experts, transposed to {@code [out, in]} and de-interleaved into gate and up. */
  private static List<FeedForwardWeights> experts(Weights experts, ModelConfig c) {
    int n = c.numExperts();
    int hidden = c.hiddenSize();
    int ffn = c.expertIntermediateSize();
    float[] gateUp = experts.floats("gate_up_proj", n, hidden, 2L * ffn);
    float[] gateUpBias = experts.floats("gate_up_proj_bias", n, 2L * ffn);
    float[] down = experts.floats("down_proj", n, ffn, hidden);
    float[] downBias = experts.floats("down_proj_bias", n, hidden);
    List<FeedForwardWeights> out = new ArrayList<>(n);
    for (int e = 0; e < n; e++) {
      float[] gate = new float[ffn * hidden];
      float[] up = new float[ffn * hidden];
      float[] bGate = new float[ffn];
      float[] bUp = new float[ffn];
      int base = e * hidden * 2 * ffn;
      for (int h = 0; h < hidden; h++) {
        for (int f = 0; f < ffn; f++) {
          gate[f * hidden + h] = gateUp[base + h * 2 * ffn + 2 * f];
          up[f * hidden + h] = gateUp[base + h * 2 * ffn + 2 * f + 1];
        }
      }
      for (int f = 0; f < ffn; f++) {
        bGate[f] = gateUpBias[e * 2 * ffn + 2 * f];
        bUp[f] = gateUpBias[e * 2 * ffn + 2 * f + 1];
      }
      float[] downT = new float[hidden * ffn];
      int downBase = e * ffn * hidden;
      for (int f = 0; f < ffn; f++) {
        for (int h = 0; h < hidden; h++) {
          downT[h * ffn + f] = down[downBase + f * hidden + h];
        }
      }
      float[] bDown = new float[hidden];
      System.arraycopy(downBias, e * hidden, bDown, 0, hidden);
      out.add(new FeedForwardWeights(matrix(gate, ffn, hidden, experts), matrix(up, ffn, hidden, experts),
          matrix(downT, hidden, ffn, experts), bGate, bUp, bDown));
    }
    return out;
  }

  /**
   * The published checkpoints' MXFP4 experts ({@code gate_up_proj_blocks [E, 2F, H/32, 16]} and {@code _scales
   * [E, 2F, H/32]}, {@code down_proj_blocks [E, H, F/32, 16]} and {@code _scales}), already {@code [out, in]}:
   * repacked once into MXFP4 matrices of the format table (drain-quant), gate from the even rows, up from the odd.
   */
  private static List<FeedForwardWeights> mxfp4Experts(Weights experts, ModelConfig c) {
    MatrixFormat mxfp4 = MatrixFormat.byName("MXFP4").orElseThrow(() -> new WeightException(
        experts.fullName("gate_up_proj_blocks") + ": MXFP4 experts need drain-quant on the class path"));
    int n = c.numExperts();
    int hidden = c.hiddenSize();
    int ffn = c.expertIntermediateSize();
    if (hidden % 32 != 0 || ffn % 32 != 0) {
      throw new WeightException(experts.fullName("gate_up_proj_blocks") + ": MXFP4 needs hidden_size and "
          + "intermediate_size in multiples of 32, got " + hidden + " and " + ffn);
    }
    MemorySegment gateUpBlocks = experts.bytes("gate_up_proj_blocks", n, 2L * ffn, hidden / 32, 16);
    MemorySegment gateUpScales = experts.bytes("gate_up_proj_scales", n, 2L * ffn, hidden / 32);
    MemorySegment downBlocks = experts.bytes("down_proj_blocks", n, hidden, ffn / 32, 16);
    MemorySegment downScales = experts.bytes("down_proj_scales", n, hidden, ffn / 32);
    float[] gateUpBias = experts.floats("gate_up_proj_bias", n, 2L * ffn);
    float[] downBias = experts.floats("down_proj_bias", n, hidden);
    int[] even = new int[ffn];
    int[] odd = new int[ffn];
    for (int f = 0; f < ffn; f++) {
      even[f] = 2 * f;
      odd[f] = 2 * f + 1;
    }
    int[] all = new int[hidden];
    for (int h = 0; h < hidden; h++) {
      all[h] = h;
    }
    List<FeedForwardWeights> out = new ArrayList<>(n);
    for (int e = 0; e < n; e++) {
      long guBlocks = (long) e * 2 * ffn * (hidden / 32) * 16;
      long guScales = (long) e * 2 * ffn * (hidden / 32);
      long dBlocks = (long) e * hidden * (ffn / 32) * 16;
      long dScales = (long) e * hidden * (ffn / 32);
      Matrix gate = repacked(mxfp4, gateUpBlocks, guBlocks, gateUpScales, guScales, even, hidden);
      Matrix up = repacked(mxfp4, gateUpBlocks, guBlocks, gateUpScales, guScales, odd, hidden);
      Matrix down = repacked(mxfp4, downBlocks, dBlocks, downScales, dScales, all, ffn);
      float[] bGate = new float[ffn];
      float[] bUp = new float[ffn];
      for (int f = 0; f < ffn; f++) {
        bGate[f] = gateUpBias[e * 2 * ffn + 2 * f];
        bUp[f] = gateUpBias[e * 2 * ffn + 2 * f + 1];
      }
      float[] bDown = Arrays.copyOfRange(downBias, e * hidden, (e + 1) * hidden);
      out.add(new FeedForwardWeights(gate, up, down, bGate, bUp, bDown));
    }
    return out;
  }

  private static Matrix repacked(MatrixFormat mxfp4, MemorySegment blocks, long blocksOffset, MemorySegment scales,
      long scalesOffset, int[] rows, int cols) {
    MemorySegment data = Arena.ofAuto().allocate(mxfp4.byteSize(rows.length, cols), 64);
    Mxfp4Repack.fromHf(blocks, blocksOffset, scales, scalesOffset, rows, cols, data);
    return mxfp4.open(data, rows.length, cols);
  }

  private static Matrix matrix(float[] values, int rows, int cols, Weights w) {
    return DenseMatrix.copyOf(values, rows, cols, w.kernels());
  }
}
