package tips.drain.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

/** {@code drain tokenize}: text to token ids, exactly as Hugging Face {@code tokenizers} encodes it. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
    description = {"Encode text to token ids with a model's tokenizer.json or GGUF file, as a JSON array.",
        "With --jsonl, read one JSON string per line on stdin and write one JSON array per line."})
public final class TokenizeCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
      description = "Directory with tokenizer.json (and tokenizer_config.json), e.g. a model directory, or a .gguf file.")
  Path tokenizer;

  @Option(names = "--no-special", description = "Do not add BOS/EOS. Special tokens written in the text are still recognised.")
  boolean noSpecial;

  @Option(names = "--jsonl", description = "Read JSON strings from stdin, one per line; write one JSON array of ids per line.")
  boolean jsonl;

  @Parameters(arity = "0..1", paramLabel = "TEXT", description = "The text to encode (not with --jsonl).")
  String text;

  /** Where --jsonl input comes from (tests replace it). */
  InputStream stdin = System.in;

  @Override
  public Integer call() {
    if (jsonl == (text != null)) {
      throw new ParameterException(spec.commandLine(), jsonl ? "give either TEXT or --jsonl, not both"
          : "missing TEXT (or use --jsonl to read JSON strings from stdin)");
    }
    Tokenizer tok = Tokenizer.open(tokenizer);
    PrintWriter out = spec.commandLine().getOut();
    if (!jsonl) {
      out.println(json(tok.encode(text, !noSpecial)));
      out.flush();
      return 0;
    }
    forEachLine(stdin, (lineNumber, line) -> {
      JsonNode node = parse(lineNumber, line);
      if (!node.isTextual()) {
        throw new DrainException("stdin line " + lineNumber + ": expected a JSON string, got " + abbreviate(line));
      }
      out.println(json(tok.encode(node.asText(), !noSpecial)));
    });
    out.flush();
    return 0;
  }

  /** Calls {@code action} with each non-blank line of {@code in} (UTF-8) and its 1-based number. */
  static void forEachLine(InputStream in, LineAction action) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (!line.isBlank()) {
          action.accept(number, line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading stdin: " + e.getMessage(), e);
    }
  }

  /** One line of JSON-lines input. */
  @FunctionalInterface
  interface LineAction {
    void accept(int lineNumber, String line);
  }

  static JsonNode parse(int lineNumber, String line) {
    try {
      return JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new DrainException("stdin line " + lineNumber + ": not valid JSON: " + abbreviate(line));
    }
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
