package dev.tinygpt.sampling;

/**
 * Greedy choice: the index of the largest logit, the first one on ties, as {@code torch.argmax}.
 * (The softmax is monotonic, so this is the most probable token without computing it.)
 */
public final class Greedy {
    private Greedy() {}

    /**
     * @throws IllegalArgumentException for an empty row or a NaN logit
     */
    public static int pick(float[] logits) {
        return pick(logits, 0, logits.length);
    }

    /** The token id (0 … vocab-1) of the largest of {@code values[offset..offset+vocab)}. */
    public static int pick(float[] values, int offset, int vocab) {
        if (vocab == 0) {
            throw new IllegalArgumentException("no logits to choose from");
        }
        int best = offset;
        for (int i = offset; i < offset + vocab; i++) {
            if (Float.isNaN(values[i])) {
                throw new IllegalArgumentException("logits contain NaN");
            }
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best - offset;
    }
}
