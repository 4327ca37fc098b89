package tips.drain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.api.ContextLengthException;
import tips.drain.api.GenerationOptions;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.Session;
import tips.drain.api.SessionOptions;
import tips.drain.api.TokenListener;
import tips.drain.testing.TinyLlama;

/**
 * The forward pass against a plain double-precision transcription of transformers' Llama written here
 * (RMSNorm, rotate-half RoPE, causal GQA attention, SwiGLU), on a random model the test writes.
 */
@Tag("kernels")
class ReferenceForwardTest {
  @TempDir Path dir;

  @Test
  void logitsMatchThePlainReferenceAtEveryPosition() {
    TinyLlama t = TinyLlama.small(11);
    int[] tokens = {1, 5, 9, 33, 2, 17, 63, 0, 8, 8};
    double[][] expected = new Reference(t).logits(tokens);
    try (LanguageModel m = LanguageModel.load(t.write(dir), LoadOptions.defaults().withThreads(2).withTokenizer(false))) {
      for (int batch : new int[] {1, 3, 10}) {
        try (Session s = m.newSession(SessionOptions.defaults().withContextLength(32).withBatchSize(batch))) {
          float[] all = s.feedAll(tokens);
          for (int p = 0; p < tokens.length; p++) {
            for (int v = 0; v < t.vocab; v++) {
              assertEquals(expected[p][v], all[p * t.vocab + v], 2e-4, "batch " + batch + " position " + p + " token " + v);
            }
          }
        }
      }
    }
  }

  @Test
  void tiedModelUsesTheEmbeddingAsHead() {
    TinyLlama t = new TinyLlama(16, 24, 1, 2, 1, 40, true, 5);
    int[] tokens = {3, 7, 1};
    double[][] expected = new Reference(t).logits(tokens);
    try (LanguageModel m = LanguageModel.load(t.write(dir), LoadOptions.defaults().withThreads(1).withTokenizer(false));
         Session s = m.newSession(SessionOptions.defaults().withContextLength(8))) {
      float[] last = s.feed(tokens);
      for (int v = 0; v < t.vocab; v++) {
        assertEquals(expected[2][v], last[v], 2e-4);
      }
    }
  }

  @Test
  void generationContinuesAcrossCallsLikeOneCall() {
    TinyLlama t = TinyLlama.small(3);
    try (LanguageModel m = LanguageModel.load(t.write(dir), LoadOptions.defaults().withThreads(2).withTokenizer(false))) {
      GenerationOptions opts = GenerationOptions.defaults().withStopOnEos(false);
      int[] once;
      try (Session s = m.newSession(SessionOptions.defaults().withContextLength(64))) {
        once = s.generate(new int[] {1, 4, 9}, opts.withMaxTokens(12), TokenListener.NONE).generatedIds();
      }
      try (Session s = m.newSession(SessionOptions.defaults().withContextLength(64))) {
        int[] first = s.generate(new int[] {1, 4, 9}, opts.withMaxTokens(5), TokenListener.NONE).generatedIds();
        int[] second = s.generate(new int[0], opts.withMaxTokens(7), TokenListener.NONE).generatedIds();
        int[] joined = new int[12];
        System.arraycopy(first, 0, joined, 0, 5);
        System.arraycopy(second, 0, joined, 5, 7);
        assertArrayEquals(once, joined);
      }
    }
  }

  @Test
  void promptLongerThanTheContextIsRefusedClearly() {
    TinyLlama t = TinyLlama.small(3);
    try (LanguageModel m = LanguageModel.load(t.write(dir), LoadOptions.defaults().withThreads(1).withTokenizer(false));
         Session s = m.newSession(SessionOptions.defaults().withContextLength(4))) {
      ContextLengthException e = assertThrows(ContextLengthException.class,
          () -> s.generate(new int[] {1, 2, 3, 4, 5}, GenerationOptions.defaults(), TokenListener.NONE));
      assertTrue(e.getMessage().contains("5 tokens") && e.getMessage().contains("4 positions"), e.getMessage());
      assertEquals(0, s.position(), "nothing was fed");
    }
  }

  @Test
  void generationStopsAtTheEndOfTheContext() {
    TinyLlama t = TinyLlama.small(3);
    try (LanguageModel m = LanguageModel.load(t.write(dir), LoadOptions.defaults().withThreads(1).withTokenizer(false));
         Session s = m.newSession(SessionOptions.defaults().withContextLength(6))) {
      var r = s.generate(new int[] {1, 2}, GenerationOptions.defaults().withMaxTokens(100).withStopOnEos(false), TokenListener.NONE);
      assertEquals(5, r.generatedIds().length, "2 prompt positions + 4 fed generated tokens + 1 sampled last");
      assertEquals(tips.drain.api.FinishReason.LENGTH, r.finishReason());
    }
  }

  /** transformers' LlamaForCausalLM in plain double loops. */
  static final class Reference {
    private final TinyLlama t;
    private final Map<String, float[]> w;

    Reference(TinyLlama t) {
      this.t = t;
      this.w = t.tensors;
    }

    double[][] logits(int[] tokens) {
      int n = tokens.length;
      int kvDim = t.kvHeads * t.headDim;
      double[][] x = new double[n][];
      for (int p = 0; p < n; p++) {
        x[p] = row(w.get("model.embed_tokens.weight"), tokens[p], t.hidden);
      }
      for (int l = 0; l < t.layers; l++) {
        String pre = "model.layers." + l + ".";
        double[][] q = new double[n][];
        double[][] k = new double[n][];
        double[][] v = new double[n][];
        for (int p = 0; p < n; p++) {
          double[] h = rmsnorm(x[p], w.get(pre + "input_layernorm.weight"));
          q[p] = rope(matvec(w.get(pre + "self_attn.q_proj.weight"), h, t.heads * t.headDim), p, t.heads);
          k[p] = rope(matvec(w.get(pre + "self_attn.k_proj.weight"), h, kvDim), p, t.kvHeads);
          v[p] = matvec(w.get(pre + "self_attn.v_proj.weight"), h, kvDim);
        }
        for (int p = 0; p < n; p++) {
          double[] out = new double[t.heads * t.headDim];
          for (int hd = 0; hd < t.heads; hd++) {
            int kvh = hd / (t.heads / t.kvHeads);
            double[] scores = new double[p + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int s = 0; s <= p; s++) {
              double dot = 0;
              for (int i = 0; i < t.headDim; i++) {
                dot += q[p][hd * t.headDim + i] * k[s][kvh * t.headDim + i];
              }
              scores[s] = dot / Math.sqrt(t.headDim);
              max = Math.max(max, scores[s]);
            }
            double sum = 0;
            for (int s = 0; s <= p; s++) {
              scores[s] = Math.exp(scores[s] - max);
              sum += scores[s];
            }
            for (int s = 0; s <= p; s++) {
              for (int i = 0; i < t.headDim; i++) {
                out[hd * t.headDim + i] += scores[s] / sum * v[s][kvh * t.headDim + i];
              }
            }
          }
          add(x[p], matvec(w.get(pre + "self_attn.o_proj.weight"), out, t.hidden));
        }
        for (int p = 0; p < n; p++) {
          double[] h = rmsnorm(x[p], w.get(pre + "post_attention_layernorm.weight"));
          double[] gate = matvec(w.get(pre + "mlp.gate_proj.weight"), h, t.ffn);
          double[] up = matvec(w.get(pre + "mlp.up_proj.weight"), h, t.ffn);
          for (int i = 0; i < t.ffn; i++) {
            gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
          }
          add(x[p], matvec(w.get(pre + "mlp.down_proj.weight"), gate, t.hidden));
        }
      }
      float[] head = t.tied ? w.get("model.embed_tokens.weight") : w.get("lm_head.weight");
      double[][] logits = new double[n][];
      for (int p = 0; p < n; p++) {
        logits[p] = matvec(head, rmsnorm(x[p], w.get("model.norm.weight")), t.vocab);
      }
      return logits;
    }

    private double[] rope(double[] x, int pos, int heads) {
      int half = t.headDim / 2;
      double[] out = x.clone();
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < half; i++) {
          double freq = 1.0 / Math.pow(t.ropeTheta, 2.0 * i / t.headDim);
          double c = Math.cos(pos * freq);
          double s = Math.sin(pos * freq);
          double a = x[h * t.headDim + i];
          double b = x[h * t.headDim + i + half];
          out[h * t.headDim + i] = a * c - b * s;
          out[h * t.headDim + i + half] = b * c + a * s;
        }
      }
      return out;
    }

    private double[] rmsnorm(double[] x, float[] weight) {
      double ss = 0;
      for (double d : x) {
        ss += d * d;
      }
      double inv = 1 / Math.sqrt(ss / x.length + t.eps);
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = x[i] * inv * weight[i];
      }
      return out;
    }

    private static double[] matvec(float[] w, double[] x, int rows) {
      double[] out = new double[rows];
      for (int r = 0; r < rows; r++) {
        double s = 0;
        for (int c = 0; c < x.length; c++) {
          s += w[r * x.length + c] * x[c];
        }
        out[r] = s;
      }
      return out;
    }

    private static double[] row(float[] w, int r, int cols) {
      double[] out = new double[cols];
      for (int c = 0; c < cols; c++) {
        out[c] = w[r * cols + c];
      }
      return out;
    }

    private static void add(double[] x, double[] y) {
      for (int i = 0; i < x.length; i++) {
        x[i] += y[i];
      }
    }
  }
}
