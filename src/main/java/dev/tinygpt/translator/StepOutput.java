package dev.tinygpt.translator;

import java.util.Arrays;

/**
 * The logits of one step as plain floats: {@code [B][T'][V]} flattened row-major, where T' is the
 * number of new positions or 1 when the model computes the last position only.
 */
public record StepOutput(float[] logits, int batchSize, int positions, int vocabSize) {

    public StepOutput {
        if (logits.length != (long) batchSize * positions * vocabSize) {
            throw new IllegalArgumentException(
                    "logits has "
                            + logits.length
                            + " values, expected "
                            + batchSize
                            + "·"
                            + positions
                            + "·"
                            + vocabSize);
        }
    }

    /** The logits of row {@code b} at (output) position {@code t}, a fresh array of V values. */
    public float[] at(int b, int t) {
        int from = (b * positions + t) * vocabSize;
        return Arrays.copyOfRange(logits, from, from + vocabSize);
    }

    /** The logits of row {@code b} at its last position. */
    public float[] last(int b) {
        return at(b, positions - 1);
    }
}
