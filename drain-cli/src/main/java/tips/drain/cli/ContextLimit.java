package tips.drain.cli;

import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import tips.drain.DrainException;
import tips.drain.api.LanguageModel;
import tips.drain.api.SessionOptions;
import tips.drain.model.ModelConfig;

/**
 * A session's context length checked against the model and the memory before its KV cache is allocated: above
 * the model's trained length only when asked for ({@code --allow-long-context}), and never more than the heap
 * can hold. A cache of more than {@link #ANNOUNCE_BYTES} is announced with its size.
 */
final class ContextLimit {
  static final long ANNOUNCE_BYTES = 256L << 20;

  private ContextLimit() {}

  /**
   * The context length to open the session with.
   *
   * @param option the option's name, for messages ({@code --context})
   * @param requested the value given, 0 for the default (the model's length, at most
   *     {@link SessionOptions#DEFAULT_MAX_CONTEXT})
   * @throws ParameterException (exit 2) when negative, or above the model's length without {@code allowLong}
   * @throws DrainException (exit 1) when the KV cache would not fit the free heap
   */
  static int check(CommandSpec spec, String option, LanguageModel model, int requested, boolean allowLong) {
    ModelConfig c = model.config();
    int trained = c.contextLength();
    if (requested < 0) {
      throw new ParameterException(spec.commandLine(), option + " must be at least 0 (0: the model's), got " + requested);
    }
    int context = requested > 0 ? requested : Math.min(trained, SessionOptions.DEFAULT_MAX_CONTEXT);
    if (context > trained && !allowLong) {
      throw new ParameterException(spec.commandLine(), option + " " + context + " is more than the " + trained
          + " positions the model was trained for (max_position_embeddings); add --allow-long-context to use it anyway");
    }
    long bytes = kvCacheBytes(c, context);
    Runtime rt = Runtime.getRuntime();
    long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    if (bytes > free) {
      throw new DrainException(String.format(Locale.ROOT,
          "a context of %d positions needs %s for its KV cache, but the Java heap has %s free: lower %s or raise the "
              + "heap (DRAIN_JAVA_OPTS=-Xmx<size>)", context, Table.bytes(bytes), Table.bytes(free), option));
    }
    if (bytes > ANNOUNCE_BYTES) {
      spec.commandLine().getErr().printf(Locale.ROOT, "drain: the KV cache of %d positions takes up to %s (%s of heap free)%n",
          context, Table.bytes(bytes), Table.bytes(free));
    }
    return context;
  }

  /** Floats of keys and values for every layer and position (an upper bound: sliding-window layers keep fewer). */
  static long kvCacheBytes(ModelConfig c, int context) {
    return 2L * c.numLayers() * c.kvDim() * context * Float.BYTES;
  }
}
