package tips.drain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.testing.TestData;

/** {@code drain chat}'s reliability: unknown commands, messages over the context, Ctrl-C during an answer. */
class ChatCommandTest {
  @TempDir Path dir;

  private String[] chat(String stdin, String... extra) throws Exception {
    Path template = dir.resolve("chat.jinja");
    Files.writeString(template, "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}{{ m['content'] }}"
        + "{% else %}{{ m['content'] + eos_token }}{% endif %}{% endfor %}");
    InputStream in = System.in;
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      String[] args = new String[5 + extra.length];
      System.arraycopy(new String[] {"chat", "--model", TestData.model("stories260K").toString(), "--template",
          template.toString()}, 0, args, 0, 5);
      System.arraycopy(extra, 0, args, 5, extra.length);
      int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
      assertEquals(0, code, err.toString());
      return new String[] {out.toString(), err.toString()};
    } finally {
      System.setIn(in);
    }
  }

  @Test
  void anUnknownCommandListsTheCommandsAndTheChatGoesOn() throws Exception {
    String[] r = chat("/help\n/quit now?\nOnce upon a time\n/exit\n", "-n", "4");
    assertTrue(r[1].contains("unknown command /help. Commands: /reset"), r[1]);
    assertTrue(r[1].contains("/exit quits"), r[1]);
    // "/quit now?" is not one word: it is a message, answered
    assertEquals(2, r[1].lines().filter(l -> l.contains("tok/s")).count(), r[1]);
  }

  @Test
  void aMessageOverTheContextIsRefusedWithItsTokenCountAndTheChatGoesOn() throws Exception {
    String longMessage = " the little dog ran to the park and played with a ball".repeat(8);
    String[] r = chat(longMessage + "\nOnce upon a time\n/exit\n", "-n", "4", "--context", "40");
    assertTrue(r[1].contains("message of ") && r[1].contains("tokens") && r[1].contains("context of 40"), r[1]);
    assertTrue(r[1].contains("the conversation goes on"), r[1]);
    assertEquals(1, r[1].lines().filter(l -> l.contains("tok/s")).count(), r[1]);
  }

  @Test
  void ctrlCDuringAnAnswerCancelsItAndOtherwiseEndsTheProgram() {
    try (AnswerInterrupts interrupts = AnswerInterrupts.detached()) {
      assertFalse(interrupts.interrupt(), "no answer running: Ctrl-C ends the program");
      AtomicInteger cancelled = new AtomicInteger();
      String answer = interrupts.whileAnswering(cancelled::incrementAndGet, () -> {
        assertTrue(interrupts.interrupt(), "an answer running: Ctrl-C cancels it");
        return "partial";
      });
      assertEquals("partial", answer);
      assertEquals(1, cancelled.get());
      assertFalse(interrupts.interrupt(), "after the answer, Ctrl-C ends the program again");
    }
  }
}
