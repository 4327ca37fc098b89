package tips.drain.cli;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C in {@code drain chat}: while an answer is being written it stops that answer (the conversation goes on);
 * otherwise it ends the program as usual. Installed for the chat's lifetime, the previous handler put back on close.
 */
final class AnswerInterrupts implements AutoCloseable {
  private static final Signal INT = new Signal("INT");
  private final AtomicReference<Runnable> cancel = new AtomicReference<>();
  private final SignalHandler previous;

  private AnswerInterrupts(boolean install) {
    SignalHandler old = null;
    if (install) {
      AtomicReference<SignalHandler> outer = new AtomicReference<>();
      try {
        old = Signal.handle(INT, signal -> {
          if (!interrupt()) {
            passOn(outer.get(), signal);
          }
        });
        outer.set(old);
      } catch (IllegalArgumentException e) {
        old = null; // no SIGINT on this platform, or the JVM keeps it (-Xrs): Ctrl-C ends the program
      }
    }
    this.previous = old;
  }

  /**
   * Ctrl-C with no answer being written does what it did before the chat: the JVM's own handler (a normal shutdown,
   * exit status 130), or with none the default action of the signal.
   */
  private static void passOn(SignalHandler outer, Signal signal) {
    if (outer != null && outer != SignalHandler.SIG_DFL && outer != SignalHandler.SIG_IGN) {
      outer.handle(signal);
    } else if (outer != SignalHandler.SIG_IGN) {
      Signal.handle(INT, SignalHandler.SIG_DFL);
      Signal.raise(INT);
    }
  }

  static AnswerInterrupts install() {
    return new AnswerInterrupts(true);
  }

  /** Without a signal handler, for tests: {@link #interrupt()} is what Ctrl-C calls. */
  static AnswerInterrupts detached() {
    return new AnswerInterrupts(false);
  }

  /** Runs {@code answer}; a Ctrl-C meanwhile runs {@code onInterrupt}. */
  <T> T whileAnswering(Runnable onInterrupt, Supplier<T> answer) {
    cancel.set(onInterrupt);
    try {
      return answer.get();
    } finally {
      cancel.set(null);
    }
  }

  /** What Ctrl-C does: cancels the answer being written and returns true, or returns false when none is. */
  boolean interrupt() {
    Runnable c = cancel.get();
    if (c == null) {
      return false;
    }
    c.run();
    return true;
  }

  @Override
  public void close() {
    if (previous != null) {
      Signal.handle(INT, previous);
    }
  }
}
