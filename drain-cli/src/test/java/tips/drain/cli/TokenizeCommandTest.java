package tips.drain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tips.drain.testing.TestData;

/** {@code drain tokenize} and {@code drain detokenize}: output, JSON lines, exit codes and messages. */
class TokenizeCommandTest {

  record Result(int code, String out, String err) {}

  static Result run(Object command, String stdin, String... args) {
    if (command instanceof TokenizeCommand t) {
      t.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    } else if (command instanceof DetokenizeCommand d) {
      d.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    }
    CommandLine cli = Main.commandLine();
    String name = command instanceof TokenizeCommand ? "tokenize" : "detokenize";
    cli.getCommandSpec().removeSubcommand(name); // replaced by the instance that reads the test's stdin
    cli.addSubcommand(command);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] full = new String[args.length + 1];
    full[0] = name;
    System.arraycopy(args, 0, full, 1, args.length);
    int code = cli.execute(full);
    return new Result(code, out.toString(), err.toString());
  }

  static String stories() {
    return TestData.model("stories260K").toString();
  }

  static String llama3() {
    return TestData.path("tokenizers/llama3").toString();
  }

  @Test
  void tokenizeText() {
    Result r = run(new TokenizeCommand(), "", "--tokenizer", stories(), "Once upon a time");
    assertEquals(0, r.code(), r.err());
    assertEquals("[1,403,407,261,378]\n", r.out());
    Result plain = run(new TokenizeCommand(), "", "--tokenizer", stories(), "--no-special", "Once upon a time");
    assertEquals("[403,407,261,378]\n", plain.out());
  }

  @Test
  void tokenizeJsonLines() {
    Result r = run(new TokenizeCommand(), "\"Hello world\"\n\n\"<|eot_id|>\\n\"\n", "--tokenizer", llama3(), "--jsonl");
    assertEquals(0, r.code(), r.err());
    assertEquals("[128000,9906,1917]\n[128000,128009,198]\n", r.out());
  }

  @Test
  void tokenizeWithAGgufFile() {
    String gguf = TestData.path("tokenizers/gguf/ggml-vocab-llama-bpe.gguf").toString();
    Result r = run(new TokenizeCommand(), "\"Hello world\"\n\"<|eot_id|>\\n\"\n", "--tokenizer", gguf, "--jsonl");
    assertEquals(0, r.code(), r.err());
    assertEquals("[128000,9906,1917]\n[128000,128009,198]\n", r.out(), "the same ids as llama3's tokenizer.json");
    Result back = run(new DetokenizeCommand(), "", "--tokenizer", gguf, "[128000,9906,1917]");
    assertEquals("<|begin_of_text|>Hello world\n", back.out());
  }

  @Test
  void detokenize() {
    Result r = run(new DetokenizeCommand(), "", "--tokenizer", stories(), "[1, 403, 407, 261, 378]");
    assertEquals(0, r.code(), r.err());
    assertEquals("<s> Once upon a time\n", r.out());
    Result skip = run(new DetokenizeCommand(), "", "--tokenizer", stories(), "--skip-special", "[1,403,407,261,378]");
    assertEquals("Once upon a time\n", skip.out());
    Result lines = run(new DetokenizeCommand(), "[128000,9906,1917]\n[198]\n", "--tokenizer", llama3(), "--jsonl");
    assertEquals("\"<|begin_of_text|>Hello world\"\n\"\\n\"\n", lines.out());
  }

  @Test
  void badInputIsExitOneWithOneLine() {
    Result notJson = run(new TokenizeCommand(), "\"ok\"\nnot json\n", "--tokenizer", stories(), "--jsonl");
    assertEquals(1, notJson.code());
    assertEquals("drain: stdin line 2: not valid JSON: not json\n", notJson.err());
    Result notString = run(new TokenizeCommand(), "[1]\n", "--tokenizer", stories(), "--jsonl");
    assertEquals("drain: stdin line 1: expected a JSON string, got [1]\n", notString.err());
    Result badId = run(new DetokenizeCommand(), "", "--tokenizer", stories(), "[1, 512]");
    assertEquals(1, badId.code());
    assertEquals("drain: IDS: token id 512 is not in the vocabulary (0..511)\n", badId.err());
    Result notIds = run(new DetokenizeCommand(), "", "--tokenizer", stories(), "[1.5]");
    assertEquals("drain: IDS: element 0 is not a token id: 1.5\n", notIds.err());
    Result noTokenizer = run(new TokenizeCommand(), "", "--tokenizer", "/nonexistent", "x");
    assertEquals(1, noTokenizer.code());
    assertTrue(noTokenizer.err().startsWith("drain: /nonexistent/tokenizer.json: not found"), noTokenizer.err());
  }

  @Test
  void usageErrorsAreExitTwo() {
    assertEquals(2, run(new TokenizeCommand(), "", "--tokenizer", stories()).code());
    assertEquals(2, run(new TokenizeCommand(), "", "--tokenizer", stories(), "--jsonl", "text").code());
    assertEquals(2, run(new DetokenizeCommand(), "", "[1]").code(), "--tokenizer is required");
  }
}
