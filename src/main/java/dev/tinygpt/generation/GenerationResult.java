package dev.tinygpt.generation;

import java.util.Arrays;

/**
 * One generated sequence and how it went.
 *
 * @param tokens the prompt followed by the generated tokens
 * @param promptTokens how many of {@code tokens} are the prompt
 * @param finishReason why generation stopped
 * @param prefillMillis time of the first model step (the whole prompt)
 * @param decodeTokensPerSecond tokens per second over the later steps; NaN when there were none
 * @param totalMillis wall time of the whole generation
 */
public record GenerationResult(
        int[] tokens,
        int promptTokens,
        FinishReason finishReason,
        double prefillMillis,
        double decodeTokensPerSecond,
        double totalMillis) {

    /** How many tokens were generated. */
    public int generatedTokens() {
        return tokens.length - promptTokens;
    }

    /** The generated tokens alone. */
    public int[] generated() {
        return Arrays.copyOfRange(tokens, promptTokens, tokens.length);
    }
}
