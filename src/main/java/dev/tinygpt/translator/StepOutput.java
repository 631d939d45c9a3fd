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

    /** Where the V logits of row {@code b} at position {@code t} start in {@link #logits}. */
    public int offset(int b, int t) {
        return (b * positions + t) * vocabSize;
    }

    /** The logits of row {@code b} at its last position, a fresh array of V values. */
    public float[] last(int b) {
        int from = offset(b, positions - 1);
        return Arrays.copyOfRange(logits, from, from + vocabSize);
    }

    /**
     * Every row's logits at its last position, {@code [B][V]}, for a caller that consumes this
     * output: a single row of a single position is the backing array itself, not a copy (a decode
     * step of GPT-2 would otherwise copy 200 KB per token for nothing).
     */
    public float[][] lastOfEachRow() {
        if (batchSize == 1 && positions == 1) {
            return new float[][] {logits};
        }
        float[][] rows = new float[batchSize][];
        for (int b = 0; b < batchSize; b++) {
            rows[b] = last(b);
        }
        return rows;
    }
}
