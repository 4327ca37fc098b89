package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tips.drain.io.TensorInfo;
import tips.drain.tensor.DType;

/** The tensors' formats under each mix, on Hugging Face names, as llama.cpp's {@code llama-quantize} picks them. */
class QuantMixTest {

  @Test
  void q4KMGivesHalfTheVAndDownProjectionsSixBits() {
    List<TensorInfo> model = llama(22, true, 0);
    QuantMix.Plan plan = QuantMix.Q4_K_M.plan(model);
    List<Integer> q6 = new ArrayList<>();
    for (int layer = 0; layer < 22; layer++) {
      QuantFormat v = format(plan, model, "model.layers." + layer + ".self_attn.v_proj.weight");
      assertEquals(v, format(plan, model, "model.layers." + layer + ".mlp.down_proj.weight"), "layer " + layer);
      if (v == QuantFormat.Q6_K) {
        q6.add(layer);
      } else {
        assertEquals(QuantFormat.Q4_K, v);
      }
      assertEquals(QuantFormat.Q4_K, format(plan, model, "model.layers." + layer + ".self_attn.q_proj.weight"));
      assertEquals(QuantFormat.Q4_K, format(plan, model, "model.layers." + layer + ".mlp.up_proj.weight"));
    }
    // use_more_bits(i, 22): i < 2, i >= 19, (i - 2) % 3 == 2
    assertEquals(List.of(0, 1, 4, 7, 10, 13, 16, 19, 20, 21), q6);
    assertEquals(QuantFormat.Q6_K, format(plan, model, "lm_head.weight"));
    assertEquals(QuantFormat.Q4_K, format(plan, model, "model.embed_tokens.weight"));
    assertEquals(null, format(plan, model, "model.norm.weight"));
  }

  @Test
  void twoLayersPromoteOnlyTheLast() {
    // the tiny-kquants fixture: Q6_K for blk.1.attn_v and blk.1.ffn_down only
    List<TensorInfo> model = llama(2, true, 0);
    for (QuantMix mix : new QuantMix[] {QuantMix.Q4_K_M, QuantMix.Q5_K_M}) {
      QuantMix.Plan plan = mix.plan(model);
      assertEquals(mix.base(), format(plan, model, "model.layers.0.self_attn.v_proj.weight"));
      assertEquals(mix.base(), format(plan, model, "model.layers.0.mlp.down_proj.weight"));
      assertEquals(QuantFormat.Q6_K, format(plan, model, "model.layers.1.self_attn.v_proj.weight"));
      assertEquals(QuantFormat.Q6_K, format(plan, model, "model.layers.1.mlp.down_proj.weight"));
    }
  }

  @Test
  void q6KAndTiedEmbeddings() {
    List<TensorInfo> untied = llama(4, true, 0);
    QuantMix.Plan q6 = QuantMix.Q6_K.plan(untied);
    for (TensorInfo t : untied) {
      if (t.rank() == 2) {
        assertEquals(QuantFormat.Q6_K, q6.formatOf(t).orElseThrow(), t.name());
      }
    }
    List<TensorInfo> tied = llama(4, false, 0);
    assertEquals(QuantFormat.Q6_K, format(QuantMix.Q4_K_M.plan(tied), tied, "model.embed_tokens.weight"), "the embedding is the output");
  }

  @Test
  void widthsOfNoWholeSuperBlockFallBackAsLlamaCpp() {
    List<TensorInfo> model = new ArrayList<>(llama(8, true, 0));
    model.add(new TensorInfo("model.layers.3.mlp.gate_proj.weight", DType.BF16, new long[] {64, 288}, 0, 0));
    model.add(new TensorInfo("model.layers.3.mlp.down_proj.weight", DType.BF16, new long[] {288, 96}, 0, 0));
    assertEquals(QuantFormat.Q5_0, QuantMix.Q4_K_M.plan(model).formatOf(model.get(model.size() - 2)).orElseThrow());
    assertEquals(QuantFormat.Q5_1, QuantMix.Q5_K_M.plan(model).formatOf(model.get(model.size() - 2)).orElseThrow());
    assertEquals(QuantFormat.Q8_0, QuantMix.Q6_K.plan(model).formatOf(model.get(model.size() - 2)).orElseThrow());
    // layer 3 of 8 uses more bits ((3 - 1) % 3 == 2): Q6_K, whose fallback is Q8_0
    assertEquals(QuantFormat.Q8_0, QuantMix.Q4_K_M.plan(model).formatOf(model.getLast()).orElseThrow());
  }

  @Test
  void eightExpertsKeepKAndVAtEightBits() {
    List<TensorInfo> mixtral = llama(4, true, 8);
    QuantMix.Plan plan = QuantMix.Q4_K_M.plan(mixtral);
    assertEquals(8, plan.experts());
    assertEquals(QuantFormat.Q8_0, format(plan, mixtral, "model.layers.2.self_attn.v_proj.weight"));
    assertEquals(QuantFormat.Q8_0, format(plan, mixtral, "model.layers.2.self_attn.k_proj.weight"));
    assertEquals(QuantFormat.Q6_K, format(plan, mixtral, "model.layers.3.block_sparse_moe.experts.5.w2.weight"));
    assertEquals(QuantFormat.Q4_K, format(plan, mixtral, "model.layers.1.block_sparse_moe.experts.5.w2.weight"));
    assertEquals(null, format(plan, mixtral, "model.layers.2.block_sparse_moe.gate.weight"), "routers stay as stored");
  }

  @Test
  void singleFormatsKeepTheEmbeddingAndAnEightBitHead() {
    List<TensorInfo> model = llama(2, true, 0);
    for (QuantMix mix : new QuantMix[] {QuantMix.Q4_0, QuantMix.Q4_1, QuantMix.Q5_0, QuantMix.Q5_1, QuantMix.Q8_0}) {
      QuantMix.Plan plan = mix.plan(model);
      assertEquals(null, format(plan, model, "model.embed_tokens.weight"));
      assertEquals(QuantFormat.Q8_0, format(plan, model, "lm_head.weight"));
      assertEquals(mix.base(), format(plan, model, "model.layers.1.self_attn.v_proj.weight"));
    }
    assertEquals(Optional.of(QuantMix.Q4_K_M), QuantMix.byName("q4_k_m"));
    assertEquals(Optional.empty(), QuantMix.byName("q4_k_s"));
  }

  private static QuantFormat format(QuantMix.Plan plan, List<TensorInfo> model, String name) {
    return plan.formatOf(model.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name)))
        .orElse(null);
  }

  /** A Llama's tensors (hidden 256, FFN 768), with or without {@code lm_head}, optionally with experts. */
  private static List<TensorInfo> llama(int layers, boolean output, int experts) {
    TreeMap<String, long[]> shapes = new TreeMap<>();
    shapes.put("model.embed_tokens.weight", new long[] {512, 256});
    shapes.put("model.norm.weight", new long[] {256});
    if (output) {
      shapes.put("lm_head.weight", new long[] {512, 256});
    }
    for (int i = 0; i < layers; i++) {
      String p = "model.layers." + i + ".";
      for (String m : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
        shapes.put(p + "self_attn." + m + ".weight", new long[] {256, 256});
      }
      shapes.put(p + "input_layernorm.weight", new long[] {256});
      if (experts == 0) {
        shapes.put(p + "mlp.gate_proj.weight", new long[] {768, 256});
        shapes.put(p + "mlp.up_proj.weight", new long[] {768, 256});
        shapes.put(p + "mlp.down_proj.weight", new long[] {256, 768});
      } else {
        shapes.put(p + "block_sparse_moe.gate.weight", new long[] {experts, 256});
        for (int e = 0; e < experts; e++) {
          shapes.put(p + "block_sparse_moe.experts." + e + ".w1.weight", new long[] {768, 256});
          shapes.put(p + "block_sparse_moe.experts." + e + ".w2.weight", new long[] {256, 768});
        }
      }
    }
    List<TensorInfo> tensors = new ArrayList<>();
    shapes.forEach((name, shape) -> tensors.add(new TensorInfo(name, DType.BF16, shape, 0, 0)));
    return tensors;
  }
}
