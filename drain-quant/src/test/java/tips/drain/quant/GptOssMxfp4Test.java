package tips.drain.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.io.ModelFiles;
import tips.drain.io.SafetensorsWriter;
import tips.drain.io.TensorInfo;
import tips.drain.io.Weights;
import tips.drain.kernel.KernelProvider;
import tips.drain.model.Architecture;
import tips.drain.model.Architectures;
import tips.drain.model.ConfigReader;
import tips.drain.model.FeedForwardWeights;
import tips.drain.model.HfConfig;
import tips.drain.model.MixtureOfExperts;
import tips.drain.model.ModelConfig;
import tips.drain.model.TransformerWeights;
import tips.drain.tensor.DType;
import tips.drain.tensor.Matrix;
import tips.drain.testing.TestData;

/**
 * GPT-OSS with its experts in MXFP4 as the published checkpoints store them: tiny-gpt_oss's F32 experts quantized
 * here into Hugging Face's {@code *_blocks} / {@code *_scales} layout load as MXFP4 matrices whose every weight is
 * the dequantized value (compared with a copy of the model whose F32 experts are those values), and the model runs
 * close to that copy (the MXFP4 products dot 8-bit activations).
 */
@Tag("kernels")
class GptOssMxfp4Test {
  @TempDir Path dir;

  @Test
  void mxfp4ExpertsLoadAsTheirDequantizedValues() throws IOException {
    Path source = TestData.model("tiny-gpt_oss");
    Path mxfp4 = dir.resolve("mxfp4");
    Path dequantized = dir.resolve("dequantized");
    convert(source, mxfp4, dequantized);

    TransformerWeights a = weights(mxfp4);
    TransformerWeights b = weights(dequantized);
    int checked = 0;
    for (int l = 0; l < a.layers().size(); l++) {
      MixtureOfExperts ma = (MixtureOfExperts) a.layers().get(l).feedForward();
      MixtureOfExperts mb = (MixtureOfExperts) b.layers().get(l).feedForward();
      for (int e = 0; e < ma.experts().size(); e++) {
        FeedForwardWeights fa = ma.experts().get(e);
        FeedForwardWeights fb = mb.experts().get(e);
        assertEquals("MXFP4", fa.gate().format());
        checked += sameRows(fa.gate(), fb.gate()) + sameRows(fa.up(), fb.up()) + sameRows(fa.down(), fb.down());
        assertArrayEquals(fb.bGate(), fa.bGate());
        assertArrayEquals(fb.bDown(), fa.bDown());
      }
    }
    assertEquals(4 * 8 * (64 + 64 + 64), checked, "every row of every expert");

    int[] prompt = {1, 317, 263, 377, 267, 265, 282, 295, 433, 335, 311, 357, 426, 338, 394, 261};
    float[] got = logits(mxfp4, prompt);
    float[] want = logits(dequantized, prompt);
    double sum = 0;
    int agree = 0;
    int vocab = want.length / prompt.length;
    for (int p = 0; p < prompt.length; p++) {
      agree += argmax(got, p * vocab, vocab) == argmax(want, p * vocab, vocab) ? 1 : 0;
      for (int v = 0; v < vocab; v++) {
        sum += Math.abs(got[p * vocab + v] - want[p * vocab + v]);
      }
    }
    double mean = sum / want.length;
    System.out.printf("gpt_oss MXFP4 experts vs their dequantized F32: mean |Δlogit| %.4f, greedy agreement %d/%d%n", mean,
        agree, prompt.length);
    assertTrue(mean < 0.1, "mean |Δlogit| " + mean);
    assertTrue(agree >= prompt.length * 3 / 4, "greedy agreement " + agree);

    // quantizing on load leaves the MXFP4 experts as they are (no second rounding) and quantizes the rest
    try (LanguageModel q = LanguageModel.load(mxfp4, LoadOptions.defaults().withThreads(2).withTokenizer(false)
        .withQuantization("q8_0"))) {
      MixtureOfExperts moe = (MixtureOfExperts) q.transformer().weights().layers().get(0).feedForward();
      assertEquals("MXFP4", moe.experts().get(0).down().format());
      assertEquals("Q8_0", q.storedFormat());
    }
  }

  private static int sameRows(Matrix a, Matrix b) {
    float[] ra = new float[a.cols()];
    float[] rb = new float[b.cols()];
    for (int r = 0; r < a.rows(); r++) {
      a.readRow(r, ra, 0);
      b.readRow(r, rb, 0);
      assertArrayEquals(rb, ra, "row " + r);
    }
    return a.rows();
  }

  private static TransformerWeights weights(Path model) {
    HfConfig raw = ConfigReader.readConfig(model);
    Architecture arch = Architectures.of(raw, model.resolve("config.json"));
    ModelConfig config = arch.resolve(raw, model.resolve("config.json"));
    return arch.loadWeights(new Weights(ModelFiles.open(model), KernelProvider.kernels()), config);
  }

  private static float[] logits(Path model, int[] prompt) {
    try (LanguageModel m = LanguageModel.load(model, LoadOptions.defaults().withThreads(2).withTokenizer(false));
         Session s = m.newSession(SessionOptions.defaults().withContextLength(32).withBatchSize(4))) {
      return s.feedAll(prompt);
    }
  }

  /**
   * Writes {@code source} twice: with each layer's {@code gate_up_proj [E, H, 2F]} and {@code down_proj [E, F, H]}
   * quantized to MXFP4 blocks in Hugging Face's layout ({@code [E, out, in/32, 16]} codes and {@code [E, out, in/32]}
   * scales), and with them replaced by their dequantized values in F32.
   */
  private static void convert(Path source, Path mxfp4, Path dequantized) throws IOException {
    Files.createDirectories(mxfp4);
    Files.createDirectories(dequantized);
    for (String f : new String[] {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"}) {
      Files.copy(source.resolve(f), mxfp4.resolve(f));
      Files.copy(source.resolve(f), dequantized.resolve(f));
    }
    SafetensorsWriter q = new SafetensorsWriter();
    SafetensorsWriter d = new SafetensorsWriter();
    try (ModelFiles files = ModelFiles.open(source); Arena arena = Arena.ofConfined()) {
      for (TensorInfo t : files.tensors()) {
        String name = t.name();
        if (!name.endsWith("experts.gate_up_proj") && !name.endsWith("experts.down_proj")) {
          MemorySegment data = arena.allocate(t.byteSize());
          MemorySegment.copy(files.segment(name), 0, data, 0, t.byteSize());
          q.add(name, t.dtype(), t.shape(), data);
          d.add(name, t.dtype(), t.shape(), data);
          continue;
        }
        int experts = (int) t.dim(0);
        int in = (int) t.dim(1);
        int out = (int) t.dim(2);
        float[] w = files.toFloatArray(name); // [E, in, out]
        float[] back = new float[w.length];
        MemorySegment blocks = arena.allocate((long) experts * out * in / 2);
        MemorySegment scales = arena.allocate((long) experts * out * in / 32);
        MemorySegment block = arena.allocate(QuantFormat.MXFP4.blockBytes());
        float[] row = new float[in];
        float[] deq = new float[32];
        for (int e = 0; e < experts; e++) {
          for (int r = 0; r < out; r++) {
            for (int c = 0; c < in; c++) {
              row[c] = w[(e * in + c) * out + r];
            }
            for (int k = 0; k < in / 32; k++) {
              QuantFormat.MXFP4.quantizeBlock(row, 32 * k, block, 0);
              QuantFormat.MXFP4.dequantizeBlock(block, 0, deq, 0);
              long at = ((long) e * out + r) * (in / 32) + k;
              scales.set(ValueLayout.JAVA_BYTE, at, block.get(ValueLayout.JAVA_BYTE, 0));
              for (int i = 0; i < 16; i++) {
                // element 2i low, 2i + 1 high; the block holds element j low and j + 16 high in byte j
                blocks.set(ValueLayout.JAVA_BYTE, at * 16 + i, (byte) (code(block, 2 * i) | (code(block, 2 * i + 1) << 4)));
              }
              for (int j = 0; j < 32; j++) {
                back[(e * in + 32 * k + j) * out + r] = deq[j];
              }
            }
          }
        }
        q.add(name + "_blocks", DType.U8, new long[] {experts, out, in / 32, 16}, blocks);
        q.add(name + "_scales", DType.U8, new long[] {experts, out, in / 32}, scales);
        d.addF32(name, t.shape(), back);
      }
      q.write(mxfp4.resolve("model.safetensors"));
      d.write(dequantized.resolve("model.safetensors"));
    }
  }

  /** The 4-bit code of element {@code j} of an MXFP4 block. */
  private static int code(MemorySegment block, int j) {
    int b = block.get(ValueLayout.JAVA_BYTE, 1 + j % 16);
    return j < 16 ? b & 0x0F : (b >> 4) & 0x0F;
  }

  private static int argmax(float[] x, int off, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (x[off + i] > x[off + best]) {
        best = i;
      }
    }
    return best;
  }
}
