package dev.tinygpt.sampling;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Log-probabilities of one row of logits, {@code log softmax(x)_i = x_i - max - log Σ exp(x_j -
 * max)} in double precision: the chosen token's and the {@code n} most likely tokens' (OpenAI's
 * {@code logprobs}). They are the model's own, before any logits processor.
 */
public final class LogProbabilities {
    private final float[] values;
    private final int offset;
    private final int vocab;
    private final double logSum; // max + log Σ exp(x - max)

    /** The row {@code values[offset..offset+vocab)}, read in place. */
    public LogProbabilities(float[] values, int offset, int vocab) {
        if (vocab < 1 || offset < 0 || offset > values.length - vocab) {
            throw new IllegalArgumentException(
                    "logits [" + offset + ", " + offset + " + " + vocab + ") outside the array");
        }
        this.values = values;
        this.offset = offset;
        this.vocab = vocab;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, values[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Softmax.exp((double) values[offset + i] - max);
        }
        this.logSum = max + Math.log(sum);
    }

    /** The log-probability of token {@code id}. */
    public double of(int id) {
        if (id < 0 || id >= vocab) {
            throw new IllegalArgumentException(
                    "token id " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
        return values[offset + id] - logSum;
    }

    /**
     * The ids of the {@code n} most likely tokens, most likely first (the lower id first on ties).
     */
    public int[] top(int n) {
        int k = Math.min(n, vocab);
        if (k <= 0) {
            return new int[0];
        }
        float kth = TopK.kthLargest(Arrays.copyOfRange(values, offset, offset + vocab), k);
        Integer[] candidates =
                IntStream.range(0, vocab)
                        .filter(i -> values[offset + i] >= kth)
                        .boxed()
                        .toArray(Integer[]::new);
        Arrays.sort(
                candidates,
                (a, b) -> {
                    int byValue = Float.compare(values[offset + b], values[offset + a]);
                    return byValue != 0 ? byValue : Integer.compare(a, b);
                });
        int[] ids = new int[k];
        for (int i = 0; i < k; i++) {
            ids[i] = candidates[i];
        }
        return ids;
    }
}
