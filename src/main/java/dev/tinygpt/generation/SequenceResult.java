package dev.tinygpt.generation;

import java.util.Arrays;

/**
 * One returned sequence.
 *
 * @param promptIndex which prompt of the batch it continues
 * @param tokens the prompt followed by the generated tokens
 * @param promptTokens how many of {@code tokens} are the prompt
 * @param finishReason why it stopped
 * @param score beam search's length-normalised log-probability; NaN outside beam search
 */
public record SequenceResult(
        int promptIndex, int[] tokens, int promptTokens, FinishReason finishReason, double score) {

    public int generatedTokens() {
        return tokens.length - promptTokens;
    }

    /** The generated tokens alone. */
    public int[] generated() {
        return Arrays.copyOfRange(tokens, promptTokens, tokens.length);
    }
}
