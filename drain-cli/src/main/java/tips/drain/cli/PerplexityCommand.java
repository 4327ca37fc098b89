package tips.drain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tips.drain.DrainException;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.api.ModelLocator;
import tips.drain.eval.Perplexity;
import tips.drain.eval.PerplexityResult;

/** {@code drain perplexity}: how well a model (or a quantized variant) predicts a text. */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
    description = "Perplexity over a text file (llama.cpp's protocol); with --reference, mean KL divergence and top-token agreement.")
final class PerplexityCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ModelOptions model;

  @Option(names = "--text", required = true, paramLabel = "FILE", description = "Plain text to score.")
  Path text;

  @Option(names = {"-c", "--context"}, defaultValue = "512", description = "Tokens per chunk (default: ${DEFAULT-VALUE}).")
  int context;

  @Option(names = "--reference", paramLabel = "MODEL", description = "Compare against this model (a directory or name).")
  String reference;

  @Option(names = "--reference-quant", paramLabel = "FORMAT", description = "Quantize the reference on load.")
  String referenceQuant;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Option(names = "--allow-long-context", description = "Allow a --context above the length the model was trained for.")
  boolean allowLongContext;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (context < 2) {
      throw new ParameterException(spec.commandLine(), "--context must be at least 2 tokens per chunk, got " + context);
    }
    String refQuant = referenceQuant == null ? null : ModelOptions.quantName(spec, referenceQuant);
    if (!Files.isRegularFile(text)) {
      throw new DrainException(text + ": no such file");
    }
    String content = Files.readString(text);
    try (LanguageModel m = LanguageModel.load(model.directory(), model.loadOptions());
         LanguageModel ref = reference == null ? null : LanguageModel.load(ModelLocator.resolve(reference),
             LoadOptions.defaults().withThreads(m.threads())
                 .withQuantization(refQuant))) {
      ContextLimit.check(spec, "--context", m, context, allowLongContext);
      int[] tokens = m.tokenizer().orElseThrow().encode(content, true);
      PerplexityResult r = Perplexity.evaluate(m, ref, tokens, context);
      if (json) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("model", m.directory().getFileName().toString());
        o.put("quant", m.storedFormat());
        o.put("context", context);
        o.put("perplexity", r.perplexity());
        o.put("tokens", r.tokens());
        o.put("chunks", r.chunks());
        if (ref != null) {
          o.put("reference_perplexity", r.referencePerplexity());
          o.put("perplexity_ratio", r.perplexity() / r.referencePerplexity());
          o.put("kl_divergence_mean", r.klDivergenceMean());
          o.put("top1_agreement", r.top1Agreement());
        }
        out.println(o);
      } else {
        Table t = new Table("measure", "value").right(1)
            .row("perplexity (" + m.storedFormat() + ")", String.format(Locale.ROOT, "%.4f", r.perplexity()))
            .row("tokens scored", r.tokens() + " in " + r.chunks() + " chunks of " + context);
        if (ref != null) {
          t.row("reference perplexity", String.format(Locale.ROOT, "%.4f", r.referencePerplexity()))
              .row("perplexity ratio", String.format(Locale.ROOT, "%.4f", r.perplexity() / r.referencePerplexity()))
              .row("mean KL divergence", String.format(Locale.ROOT, "%.6f", r.klDivergenceMean()))
              .row("same top token", String.format(Locale.ROOT, "%.2f %%", 100 * r.top1Agreement()));
        }
        t.print(out);
      }
    }
    return 0;
  }
}
