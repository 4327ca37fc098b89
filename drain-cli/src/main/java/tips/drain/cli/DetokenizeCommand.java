package tips.drain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tips.drain.DrainException;
import tips.drain.tokenizer.Tokenizer;

/** {@code drain detokenize}: token ids back to text, exactly as Hugging Face {@code tokenizers} decodes them. */
@Command(name = "detokenize", mixinStandardHelpOptions = true,
    description = {"Decode a JSON array of token ids to text with a model's tokenizer.json or GGUF file.",
        "With --jsonl, read one JSON array per line on stdin and write one JSON string per line."})
public final class DetokenizeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
      description = "Directory with tokenizer.json (and tokenizer_config.json), e.g. a model directory, or a .gguf file.")
  Path tokenizer;

  @Option(names = "--skip-special", description = "Leave out special tokens (BOS, EOS, chat markers).")
  boolean skipSpecial;

  @Option(names = "--jsonl", description = "Read JSON arrays of ids from stdin, one per line; write one JSON string per line.")
  boolean jsonl;

  @Parameters(arity = "0..1", paramLabel = "IDS", description = "The ids as a JSON array, e.g. [1, 15043] (not with --jsonl).")
  String ids;

  /** Where --jsonl input comes from (tests replace it). */
  InputStream stdin = System.in;

  @Override
  public Integer call() {
    if (jsonl == (ids != null)) {
      throw new ParameterException(spec.commandLine(), jsonl ? "give either IDS or --jsonl, not both"
          : "missing IDS (or use --jsonl to read JSON arrays from stdin)");
    }
    Tokenizer tok = Tokenizer.open(tokenizer);
    PrintWriter out = spec.commandLine().getOut();
    if (!jsonl) {
      out.println(tok.decode(ids(tok, TokenizeCommand.parse(1, ids), "IDS"), skipSpecial));
      out.flush();
      return 0;
    }
    TokenizeCommand.forEachLine(stdin, (lineNumber, line) -> {
      int[] values = ids(tok, TokenizeCommand.parse(lineNumber, line), "stdin line " + lineNumber);
      out.println(TokenizeCommand.json(tok.decode(values, skipSpecial)));
    });
    out.flush();
    return 0;
  }

  /** The ids of a JSON array, each checked against the vocabulary. */
  private static int[] ids(Tokenizer tok, JsonNode node, String where) {
    if (!node.isArray()) {
      throw new DrainException(where + ": expected a JSON array of token ids, got " + TokenizeCommand.abbreviate(node.toString()));
    }
    int[] values = new int[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToInt()) {
        throw new DrainException(where + ": element " + i + " is not a token id: " + v);
      }
      int id = v.asInt();
      if (id < 0 || id >= tok.vocabSize() || tok.idToToken(id) == null) {
        throw new DrainException(where + ": token id " + id + " is not in the vocabulary (0.." + (tok.vocabSize() - 1) + ")");
      }
      values[i] = id;
    }
    return values;
  }
}
