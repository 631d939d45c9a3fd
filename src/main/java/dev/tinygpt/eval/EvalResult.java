package dev.tinygpt.eval;

/**
 * A text's cross-entropy under a model.
 *
 * @param tokens the text's length in tokens
 * @param tokensScored tokens predicted: every one after the first
 * @param nll their summed negative log-likelihood, in nats
 * @param bytes the UTF-8 bytes of the scored tokens, for a figure comparable across tokenizers
 * @param windows the strided windows the text was scored in
 * @param stride the windows' stride
 * @param seconds the time the scoring took
 */
public record EvalResult(
        int tokens,
        int tokensScored,
        double nll,
        long bytes,
        int windows,
        int stride,
        double seconds) {

    /** Mean negative log-likelihood per scored token, in nats. */
    public double nllPerToken() {
        return nll / tokensScored;
    }

    /** {@code exp(nll per token)}. */
    public double perplexity() {
        return Math.exp(nllPerToken());
    }

    /** The summed negative log-likelihood in bits over the scored tokens' UTF-8 bytes. */
    public double bitsPerByte() {
        return nll / Math.log(2) / bytes;
    }
}
