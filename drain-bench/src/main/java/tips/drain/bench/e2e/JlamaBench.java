package tips.drain.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.model.functions.Generator;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.prompt.PromptContext;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.io.File;
import tips.drain.util.Statistics;
import java.util.UUID;

/**
 * The baseline of the side-by-side benchmark: Jlama 0.8.4 (pure Java, its Panama kernels) running the same
 * model directory with the protocol of {@code drain bench}: one warm-up, then repetitions of a prompt of
 * {@code --prompt-tokens} tokens and {@code --gen-tokens} greedy tokens. Prints one JSON object with the fields
 * of {@code drain bench --json}. Jlama times its own prompt and generation phases; those times are used.
 */
public final class JlamaBench {
  private JlamaBench() {}

  public static void main(String[] args) throws Exception {
    BenchArgs a = BenchArgs.parse(args);
    PhysicalCoreExecutor.overrideThreadCount(a.threads());
    AbstractModel model = ModelSupport.loadModel(new File(a.model()), DType.F32, DType.I8);
    // prompt text the synthetic tokenizer turns into exactly --prompt-tokens ids: BOS, "▁", then one byte token per
    // letter (the length is corrected below by what Jlama's tokenizer actually gives)
    String text = "a".repeat(Math.max(1, a.promptTokens() - 4));
    int encoded = model.encodePrompt(PromptContext.of(text)).length;
    text = "a".repeat(Math.max(1, text.length() + a.promptTokens() - encoded));
    double[] prefill = new double[a.reps()];
    double[] decode = new double[a.reps()];
    int promptTokens = 0;
    // warm-up: a whole repetition, as drain bench does (C2 compiles the kernels late)
    model.generate(UUID.randomUUID(), PromptContext.of(text), 0.0f, a.promptTokens() + a.genTokens(), (s, f) -> {});
    for (int r = 0; r < a.reps(); r++) {
      Generator.Response resp = model.generate(UUID.randomUUID(), PromptContext.of(text), 0.0f,
          a.promptTokens() + a.genTokens(), (s, f) -> {});
      promptTokens = resp.promptTokens;
      prefill[r] = resp.promptTokens * 1000.0 / Math.max(1, resp.promptTimeMs);
      decode[r] = resp.generatedTokens * 1000.0 / Math.max(1, resp.generateTimeMs);
      System.err.printf("jlama rep %d: %d prompt tokens %.2f tok/s, %d generated %.2f tok/s%n", r + 1, resp.promptTokens,
          prefill[r], resp.generatedTokens, decode[r]);
    }
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("engine", "jlama-0.8.4-panama");
    o.put("weights", String.valueOf(model.getWeights().getModelDType()));
    o.put("model", new File(a.model()).getName());
    o.put("threads", a.threads());
    o.put("prompt_tokens", promptTokens);
    o.put("gen_tokens", a.genTokens());
    o.put("reps", a.reps());
    o.put("prefill_tok_s", Statistics.mean(prefill));
    o.put("prefill_tok_s_stddev", Statistics.stddev(prefill));
    o.put("decode_tok_s", Statistics.mean(decode));
    o.put("decode_tok_s_stddev", Statistics.stddev(decode));
    System.out.println(o);
    System.exit(0); // Jlama's executor threads are not daemons
  }
}
