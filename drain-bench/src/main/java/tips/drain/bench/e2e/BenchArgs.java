package tips.drain.bench.e2e;

/**
 * The options shared by the end-to-end benchmark runners. {@code --jlama-model} gives Jlama another directory
 * than DRAIN's (e.g. Jlama's own Q4 conversion beside DRAIN's Q4_0 one); by default both run {@code --model}.
 * {@code --rounds} is how many times {@link SideBySide} runs the pair (one JVM each, alternating).
 */
record BenchArgs(String model, String jlamaModel, int promptTokens, int genTokens, int reps, int threads, int rounds) {

  static BenchArgs parse(String[] args) {
    String model = null;
    String jlamaModel = null;
    int prompt = 128;
    int gen = 64;
    int reps = 3;
    int rounds = 1;
    int threads = Runtime.getRuntime().availableProcessors();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = args[++i];
        case "--jlama-model" -> jlamaModel = args[++i];
        case "--prompt-tokens" -> prompt = Integer.parseInt(args[++i]);
        case "--gen-tokens" -> gen = Integer.parseInt(args[++i]);
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; options: --model DIR [--jlama-model DIR] [--prompt-tokens N] [--gen-tokens N] [--reps N] [--threads N] [--rounds N]");
      }
    }
    if (model == null) {
      throw new IllegalArgumentException("--model DIR is required");
    }
    if (prompt < 1 || gen < 1 || reps < 1 || threads < 1 || rounds < 1) {
      throw new IllegalArgumentException("--prompt-tokens, --gen-tokens, --reps, --threads and --rounds must be >= 1");
    }
    return new BenchArgs(model, jlamaModel == null ? model : jlamaModel, prompt, gen, reps, threads, rounds);
  }
}
