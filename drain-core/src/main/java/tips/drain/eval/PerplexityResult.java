package tips.drain.eval;

/**
 * @param perplexity exp of the mean negative log-likelihood of the scored tokens
 * @param tokens tokens scored
 * @param chunks chunks of the text evaluated
 * @param klDivergenceMean mean KL(reference ‖ model) over the scored positions, NaN without a reference
 * @param top1Agreement share of scored positions where both pick the same most likely token, NaN without a reference
 * @param referencePerplexity the reference's perplexity on the same tokens, NaN without a reference
 */
public record PerplexityResult(double perplexity, int tokens, int chunks, double klDivergenceMean, double top1Agreement,
    double referencePerplexity) {}
