package tips.drain.tokenizer;

/** A {@code normalizer} of tokenizer.json: rewrites text before it is split into words. */
@FunctionalInterface
interface Normalizer {
  String normalize(String text);
}
