package tips.drain.quant;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tips.drain.io.TensorInfo;

/**
 * What {@code drain quantize} writes: which format each tensor of a Hugging Face model gets.
 * <ul>
 *   <li>The single formats (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1): every 2-D weight of the layers in that format; the
 *       token embedding, norms and MoE routers as stored; the output head at 8 bits when the layers have
 *       fewer.
 *   <li>llama.cpp's K-quant mixes, as {@code llama-quantize} chooses them ({@code llama_tensor_get_type}, no
 *       importance matrix): Q4_K_M and Q5_K_M (Q4_K / Q5_K, with Q6_K for the output and for the
 *       {@code attn_v} and {@code ffn_down} of the layers llama.cpp's {@code use_more_bits} picks: the first
 *       and last eighth and every third in between, about half), and Q6_K. The token embedding takes the base
 *       format (Q6_K when it is also the output), a fused {@code qkv_proj} one step more (Q5_K / Q6_K),
 *       8-expert models Q8_0 for {@code attn_v} and {@code attn_k}; a matrix whose width is no multiple of 256
 *       falls back as llama.cpp's does (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0).
 * </ul>
 */
public enum QuantMix {
  Q8_0(QuantFormat.Q8_0, false),
  Q4_0(QuantFormat.Q4_0, false),
  Q4_1(QuantFormat.Q4_1, false),
  Q5_0(QuantFormat.Q5_0, false),
  Q5_1(QuantFormat.Q5_1, false),
  Q4_K_M(QuantFormat.Q4_K, true),
  Q5_K_M(QuantFormat.Q5_K, true),
  Q6_K(QuantFormat.Q6_K, false);

  private static final Pattern LAYER = Pattern.compile("\\.layers\\.(\\d+)\\.");
  private static final Pattern EXPERT = Pattern.compile("\\.experts\\.(\\d+)\\.");

  private final QuantFormat base;
  private final boolean moreBits;

  QuantMix(QuantFormat base, boolean moreBits) {
    this.base = base;
    this.moreBits = moreBits;
  }

  /** The format of most matrices. */
  public QuantFormat base() {
    return base;
  }

  /** The names this accepts, lower case: {@code q8_0, q4_0, ..., q4_k_m, q5_k_m, q6_k}. */
  public static String names() {
    StringBuilder s = new StringBuilder();
    for (QuantMix m : values()) {
      s.append(s.isEmpty() ? "" : ", ").append(m.name().toLowerCase(Locale.ROOT));
    }
    return s.toString();
  }

  /** The mix named {@code name}, case-insensitive. */
  public static Optional<QuantMix> byName(String name) {
    for (QuantMix m : values()) {
      if (m.name().equalsIgnoreCase(name)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** The formats of a model's tensors under this mix: made once per model from all its tensor names. */
  public Plan plan(List<TensorInfo> tensors) {
    int layers = 0;
    Set<Integer> experts = new HashSet<>();
    boolean hasOutput = false;
    for (TensorInfo t : tensors) {
      Matcher m = LAYER.matcher(t.name());
      if (m.find()) {
        layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
      }
      Matcher e = EXPERT.matcher(t.name());
      if (e.find()) {
        experts.add(Integer.parseInt(e.group(1)));
      }
      hasOutput |= t.name().equals("lm_head.weight");
    }
    return new Plan(this, layers, experts.size(), hasOutput);
  }

  /** {@link #plan}'s result: the format of each tensor. */
  public record Plan(QuantMix mix, int layers, int experts, boolean hasOutput) {

    /** The format for tensor {@code t}, or empty to keep it as stored. */
    public Optional<QuantFormat> formatOf(TensorInfo t) {
      String name = t.name();
      // only Linear weights (GPT-OSS's stacked expert biases are 2-D too); MoE routers stay as stored
      if (t.rank() != 2 || !t.dtype().isFloatWeight() || !name.endsWith(".weight") || name.endsWith(".gate.weight")
          || name.endsWith("router.weight")) {
        return Optional.empty();
      }
      QuantFormat format = mix.base.activationFormat() == ActivationFormat.Q8_K ? llamaCpp(name) : single(name);
      if (format == null) {
        return Optional.empty();
      }
      int cols = (int) t.dim(1);
      if (!format.supports(cols)) {
        format = switch (format) {
          case Q4_K -> QuantFormat.Q5_0;
          case Q5_K -> QuantFormat.Q5_1;
          case Q6_K -> QuantFormat.Q8_0;
          default -> format;
        };
      }
      return format.supports(cols) ? Optional.of(format) : Optional.empty();
    }

    private QuantFormat single(String name) {
      if (embedding(name)) {
        return null;
      }
      if (name.equals("lm_head.weight") && mix.base.blockBytes() * 32L < QuantFormat.Q8_0.blockBytes() * (long) mix.base.blockSize()) {
        return QuantFormat.Q8_0;
      }
      return mix.base;
    }

    /** llama.cpp's {@code llama_tensor_get_type} for the K-quant mixes, on Hugging Face tensor names. */
    private QuantFormat llamaCpp(String name) {
      boolean output = name.equals("lm_head.weight") || (!hasOutput && embedding(name));
      if (output) {
        return mix.base == QuantFormat.Q8_0 ? QuantFormat.Q8_0 : QuantFormat.Q6_K;
      }
      if (embedding(name)) {
        return mix.base;
      }
      if (name.endsWith("self_attn.v_proj.weight") || name.endsWith("self_attn.k_proj.weight")) {
        if (experts == 8) {
          return QuantFormat.Q8_0;
        }
        return name.endsWith("v_proj.weight") && mix.moreBits && useMoreBits(layer(name), layers) ? QuantFormat.Q6_K : mix.base;
      }
      if (name.endsWith("self_attn.qkv_proj.weight")) {
        return switch (mix) {
          case Q4_K_M -> QuantFormat.Q5_K;
          case Q5_K_M -> QuantFormat.Q6_K;
          default -> mix.base;
        };
      }
      if (name.endsWith("mlp.down_proj.weight") || name.endsWith(".w2.weight")) {
        return mix.moreBits && useMoreBits(layer(name), layers) ? QuantFormat.Q6_K : mix.base;
      }
      return mix.base;
    }

    /** The token embedding: {@code embed_tokens}, or Falcon's and BLOOM's {@code word_embeddings}. */
    private static boolean embedding(String name) {
      return name.contains("embed_tokens") || name.contains("word_embeddings");
    }

    private static int layer(String name) {
      Matcher m = LAYER.matcher(name);
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
  }

  /** llama.cpp's {@code use_more_bits}: the first and last eighth of the layers and every third in between. */
  static boolean useMoreBits(int layer, int layers) {
    return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
  }
}
